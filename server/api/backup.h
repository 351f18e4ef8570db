/* backup.h: `hearth admin backup` on the server: a consistent,
 * compacted snapshot made on the thread pool, then handed out in pieces the
 * client asks for, so neither side holds the store in memory and the loop
 * never waits on the disk. One snapshot per connection at a time. */
#ifndef HEARTHD_ADMIN_BACKUP_H
#define HEARTHD_ADMIN_BACKUP_H

#include "common/envelope.h"

struct conn;
struct remote_backup;

/* Handles BackupRequest (a dispatch_fn): start a snapshot or read a
 * piece of it. Admin certificates only (authz.c). Returns DISPATCH_DONE;
 * the snapshot's own work holds a reference on c until it answers. */
int admin_handle_backup(struct conn *c, Hearth__Envelope *env);

/* Releases a connection's snapshot (closing its file and freeing b; b may
 * be NULL). Called when the connection is freed; nothing may be in flight
 * then. */
void admin_backup_free(struct remote_backup *b);

#endif

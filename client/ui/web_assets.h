/* web_assets.h: the web app's files (client/ui/web/), compiled into the
 * binary at build time (web_assets.c, which client/ui/web/embed.cmake writes
 * into the build tree), so `hearth ui` needs no files on
 * disk, no CDN and no network. */
#ifndef HEARTH_WEB_ASSETS_H
#define HEARTH_WEB_ASSETS_H

#include <stddef.h>

/* One embedded file. Every field is static and lives for the whole program. */
typedef struct web_asset {
	const char *path;            /* "/app.js" */
	const char *type;            /* Content-Type */
	const unsigned char *data;
	size_t len;
} web_asset;

/* The asset served at path ("/" is "/index.html"), or NULL. */
const web_asset *web_asset_find(const char *path);

#endif

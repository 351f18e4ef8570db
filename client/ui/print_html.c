/* print_html.c: a branch's printable A4 HTML documents, the year report
 * and the ledgers (print_html.h), and the year's figures as tables. */
#include "client/ui/print_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hearth.h"
#include "common/i18n.h"

void print_html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* Black on white with a red rule, as the committee's report; sizes in pt
 * so the paper copy reads as a printed form (宋体-like serif for the body
 * of a ledger is what offices file). */
static const char css_common[] =
	"*{box-sizing:border-box}\n"
	"body{margin:0;color:#111;font-family:\"Noto Serif CJK SC\",\"Source Han Serif SC\",\"SimSun\","
	"\"Songti SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",serif;font-size:10.5pt;line-height:1.45}\n"
	"main{max-width:1100px;margin:0 auto;padding:16px 20px}\n"
	"h1{font-size:18pt;text-align:center;margin:4px 0 6px;letter-spacing:2px}\n"
	".meta{display:flex;justify-content:space-between;font-size:9.5pt;margin:0 0 6px;"
	"border-bottom:2px solid #c8102e;padding-bottom:4px}\n"
	".note{font-size:9pt;color:#555;margin:2px 0 8px}\n"
	"h2{font-size:12.5pt;margin:14px 0 4px}\n"
	"table{border-collapse:collapse;width:100%;margin:4px 0 10px}\n"
	"th,td{border:1px solid #333;padding:3px 4px;vertical-align:top;text-align:left;"
	"word-break:break-all}\n"
	"th{background:#f2f2f2;font-weight:700;text-align:center;white-space:nowrap}\n"
	"td.n{text-align:right;white-space:nowrap}\n"
	"thead{display:table-header-group}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	"tfoot td{font-weight:700}\n"
	".sign{display:flex;justify-content:space-between;margin-top:18px;font-size:10.5pt}\n"
	"@media print{main{max-width:none;padding:0}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void begin(FILE *f, const char *title, const print_info *info, int landscape)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"hearth " HEARTH_VERSION "\">\n<title>", f);
	print_html_escape(f, title);
	fprintf(f, "</title>\n<style>\n%s@page{size:A4%s;margin:12mm 10mm}\n</style>\n</head>\n"
	           "<body>\n<main>\n<h1>",
	        css_common, landscape ? " landscape" : "");
	print_html_escape(f, title);
	fputs("</h1>\n<div class=\"meta\"><span>党支部：", f);
	print_html_escape(f, info->branch);
	fputs("</span><span>制表日期：", f);
	print_html_escape(f, info->generated);
	fputs("</span></div>\n", f);
	if (info->note) {
		fputs("<p class=\"note\">", f);
		print_html_escape(f, info->note);
		fputs("</p>\n", f);
	}
}

static int end(FILE *f)
{
	fputs("</main>\n</body>\n</html>\n", f);
	return ferror(f) ? HEARTH_EIO : 0;
}

static void cell(FILE *f, const char *text, int numeric)
{
	fputs(numeric ? "<td class=\"n\">" : "<td>", f);
	print_html_escape(f, text);
	fputs("</td>", f);
}

void print_html_year_tables(FILE *f, const yearly_report *y)
{
	const char *section = NULL;

	for (size_t i = 0; i < y->n; i++) {
		const yearly_figure *fg = &y->f[i];
		char item[160], v[YEARLY_TEXT_MAX];

		if (fg->section != section) {
			if (section)
				fputs("</tbody></table>\n", f);
			fputs("<h2>", f);
			print_html_escape(f, fg->section_label);
			fputs("</h2>\n<table><thead><tr><th>项目</th><th>数值</th></tr></thead><tbody>\n", f);
			section = fg->section;
		}
		if (fg->group_label)
			snprintf(item, sizeof(item), "%s：%s", fg->group_label, fg->label);
		else
			snprintf(item, sizeof(item), "%s", fg->label);
		yearly_value_text(fg, v);
		fputs("<tr>", f);
		cell(f, item, 0);
		cell(f, v, 1);
		fputs("</tr>\n", f);
	}
	if (section)
		fputs("</tbody></table>\n", f);
	if (!y->n_veterans)
		return;
	fputs("<h2>光荣在党50年</h2>\n<table><thead><tr><th>序号</th><th>姓名</th><th>入党日期</th>"
	      "<th>党龄（截至年底）</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < y->n_veterans; i++) {
		char n[24], years[24];
		snprintf(n, sizeof(n), "%zu", i + 1);
		snprintf(years, sizeof(years), "%d 年", y->veterans[i].years);
		fputs("<tr>", f);
		cell(f, n, 1);
		cell(f, y->veterans[i].name, 0);
		cell(f, y->veterans[i].join_date, 0);
		cell(f, years, 1);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

int print_html_year(FILE *f, const yearly_report *y, const print_info *info)
{
	char title[64];

	snprintf(title, sizeof(title), "%d年度党支部工作统计", y->year);
	begin(f, title, info, 0);
	print_html_year_tables(f, y);
	fputs("<p class=\"note\">统计口径：走访不含“计划”“已取消”；表彰只计“已批准”“已颁发”（推荐中的不计）；"
	      "党费收缴率 = 实缴 ÷ 应缴（免缴月份不计入应缴）；光荣在党50年：截至当年12月31日党龄满50年的"
	      "党员。与 hearth admin stats 口径一致。</p>\n", f);
	return end(f);
}

int print_html_ledger(FILE *f, const ledger *l, const print_info *info)
{
	char title[96];

	snprintf(title, sizeof(title), "%s（%d年度）", l->title, l->year);
	begin(f, title, info, 1);
	fputs("<table>\n<thead><tr>", f);
	for (size_t c = 0; c < l->n_cols; c++) {
		fputs("<th>", f);
		print_html_escape(f, l->cols[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t r = 0; r < l->n_rows; r++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < l->n_cols; c++)
			cell(f, ledger_cell(l, r, c), c == 0);
		fputs("</tr>\n", f);
	}
	if (!l->n_rows) {
		fprintf(f, "<tr><td colspan=\"%zu\">本年度无记录</td></tr>\n", l->n_cols);
	}
	fputs("</tbody>\n", f);
	if (l->total) {
		fputs("<tfoot><tr>", f);
		for (size_t c = 0; c < l->n_cols; c++)
			cell(f, l->total[c] ? l->total[c] : "", 0);
		fputs("</tr></tfoot>\n", f);
	}
	fputs("</table>\n<div class=\"sign\"><span>填表人：</span><span>审核人：</span>"
	      "<span>党支部书记（签字）：</span></div>\n", f);
	return end(f);
}

int print_html_file(const char *path, int (*write)(FILE *f, void *ctx), void *ctx, char *err,
                    size_t cap)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 8);
	FILE *f = NULL;
	int fd, rc;

	if (!tmp) {
		snprintf(err, cap, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
		return HEARTH_ENOMEM;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", 8);
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, cap, _("cannot create %s: %s"), tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return HEARTH_EIO;
	}
	rc = write(f, ctx);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = rc ? rc : HEARTH_EIO;
	if (fclose(f) != 0)
		rc = rc ? rc : HEARTH_EIO;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = HEARTH_EIO;
	if (rc != 0) {
		snprintf(err, cap, _("cannot write %s: %s"), path,
		         rc == HEARTH_EIO ? strerror(errno ? errno : EIO) : _(hearth_strerror(rc)));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

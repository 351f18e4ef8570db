/* report.c: writes the committee's cross-branch report as one HTML file:
 * summary figures, four inline SVG bar charts (care coverage per branch,
 * hardship by type, visits by month, dues collection per branch) and the
 * full table of `hearth admin stats`, styled for screen and for A4 paper. */
#include "client/ui/report.h"

#include <string.h>
#include <time.h>

#include "common/hearth.h"
#include "client/ui/output.h"
#include "client/ui/print_html.h"
#include "client/core/values.h"
#include "common/utf8.h"

/* Colours: the Party red for the main series, gold for the second, and
 * greys for axes; they print well in colour and stay distinct in grey. */
#define C_RED "#c8102e"
#define C_GOLD "#d99a00"
#define C_GREY "#8c8c8c"
#define C_GRID "#e3e3e3"
#define C_TEXT "#222222"

/* Chart geometry (SVG user units = CSS px at 100%). */
#define CHART_W 920
#define LABEL_W 190
#define VALUE_W 150

static void local_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, cap, "—");
}

/* A branch as people know it: its name, else its id; cut to fit a label. */
static void branch_label(const stats_row *r, char *out, size_t cap)
{
	utf8_truncate(r->name[0] ? r->name : r->branch, 22, out, cap);
}

/* The smallest 1, 2 or 5 x 10^k at or above v (at least 1). */
static double nice_max(double v)
{
	double p = 1;
	if (v <= 1)
		return 1;
	while (p * 10 < v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void fmt_num(double v, char *out, size_t cap)
{
	if (v == (double)(int64_t)v)
		snprintf(out, cap, "%.0f", v);
	else
		snprintf(out, cap, "%.1f", v);
}

/* ------------------------------------------------ charts */

typedef struct series {
	const char *name;
	const char *color;
	int num, den;          /* PERCENT of two figures */
	int money;             /* the figures are fen: show them as yuan */
} series;

/* Horizontal bars, one group per branch, one bar per series, each a
 * percentage num/den (0-100). A branch with nothing to divide by gets a
 * grey note instead of a bar. */
static void chart_percent_by_branch(FILE *f, const stats *s, const series *ser, int nser,
                                    const char *empty_note, const char *aria)
{
	const int bar_h = 16, gap = 4, group_pad = 14, top = 28, bottom = 10;
	const int group_h = nser * bar_h + (nser - 1) * gap + group_pad;
	const int plot_w = CHART_W - LABEL_W - VALUE_W;
	const int h = top + (int)s->n * group_h + bottom;
	char label[128], v[64], a[MONEY_YUAN_TEXT_MAX], b[MONEY_YUAN_TEXT_MAX];

	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	           "aria-label=\"", CHART_W, h, CHART_W, h);
	print_html_escape(f, aria);
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", f);
	for (int p = 0; p <= 100; p += 25) {
		int x = LABEL_W + plot_w * p / 100;
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
		           "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%d%%</text>\n",
		        x, top - 6, x, h - bottom, C_GRID, x, top - 10, p);
	}
	for (size_t i = 0; i < s->n; i++) {
		const stats_row *r = &s->rows[i];
		int y0 = top + (int)i * group_h + group_pad / 2;
		int shown = 0;

		branch_label(r, label, sizeof(label));
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"end\">", LABEL_W - 10,
		        y0 + (nser * bar_h + (nser - 1) * gap) / 2 + 5);
		print_html_escape(f, label);
		fputs("</text>\n", f);
		for (int k = 0; k < nser; k++) {
			double p = stats_percent(r->v[ser[k].num], r->v[ser[k].den]);
			int y = y0 + k * (bar_h + gap);
			int w;
			if (p < 0)
				continue;
			shown = 1;
			w = (int)((p > 100 ? 100 : p) * plot_w / 100.0 + 0.5);
			fmt_num((double)(int64_t)(p * 10 + 0.5) / 10, v, sizeof(v));
			if (ser[k].money) {
				money_yuan_format(r->v[ser[k].num], a);
				money_yuan_format(r->v[ser[k].den], b);
			} else {
				snprintf(a, sizeof(a), "%lld", (long long)r->v[ser[k].num]);
				snprintf(b, sizeof(b), "%lld", (long long)r->v[ser[k].den]);
			}
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" rx=\"2\"/>"
			           "<text x=\"%d\" y=\"%d\" class=\"value\">%s %s%% (%s/%s%s)</text>\n",
			        LABEL_W, y, w > 0 ? w : 1, bar_h, ser[k].color, LABEL_W + w + 6, y + bar_h - 3,
			        ser[k].name, v, a, b, ser[k].money ? " 元" : "");
		}
		if (!shown) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"note\">", LABEL_W + 6,
			        y0 + (nser * bar_h + (nser - 1) * gap) / 2 + 5);
			print_html_escape(f, empty_note);
			fputs("</text>\n", f);
		}
	}
	fputs("</svg>\n", f);
}

/* Vertical bars for categories (types, months), values on top. */
static void chart_columns(FILE *f, const char *const *labels, const int64_t *values, int n,
                          const char *color, const char *aria)
{
	const int h = 300, top = 24, bottom = 34, left = 56, right = 16;
	const int plot_w = CHART_W - left - right, plot_h = h - top - bottom;
	double max = 0;
	char v[64];

	for (int i = 0; i < n; i++)
		if ((double)values[i] > max)
			max = (double)values[i];
	/* Four gridline steps of 1, 2 or 5 x 10^k: whole numbers on the axis. */
	max = nice_max(max / 4) * 4;
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	           "aria-label=\"", CHART_W, h, CHART_W, h);
	print_html_escape(f, aria);
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", f);
	for (int g = 0; g <= 4; g++) {
		int y = top + plot_h - plot_h * g / 4;
		fmt_num(max * g / 4, v, sizeof(v));
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
		           "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">%s</text>\n",
		        left, y, CHART_W - right, y, g ? C_GRID : C_GREY, left - 8, y + 4, v);
	}
	for (int i = 0; i < n; i++) {
		double slot = (double)plot_w / n;
		int bw = (int)(slot * 0.6);
		int x = left + (int)(slot * i + (slot - bw) / 2);
		int bh = (int)((double)values[i] * plot_h / max + 0.5);
		int y = top + plot_h - bh;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" rx=\"2\"/>", x, y, bw,
		        bh, color);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"value\" text-anchor=\"middle\">%lld</text>",
		        x + bw / 2, y - 5, (long long)values[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">", x + bw / 2,
		        h - bottom + 20);
		print_html_escape(f, labels[i]);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

/* ------------------------------------------------ page */

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:#f4f1ec;color:" C_TEXT ";font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\","
	"\"Noto Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",\"WenQuanYi Micro Hei\",sans-serif;"
	"font-size:15px;line-height:1.55}\n"
	"main{max-width:1000px;margin:0 auto;padding:28px 32px 40px;background:#fff}\n"
	"header{border-bottom:4px solid " C_RED ";padding-bottom:12px;margin-bottom:20px}\n"
	"h1{font-size:26px;margin:0 0 4px;color:" C_RED ";letter-spacing:1px}\n"
	".meta{color:#666;font-size:13px}\n"
	"h2{font-size:19px;margin:28px 0 8px;padding-left:10px;border-left:5px solid " C_RED "}\n"
	"h3{font-size:16px;margin:18px 0 6px}\n"
	".cards{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}\n"
	".card{border:1px solid #eadfd2;border-radius:6px;padding:10px 14px;background:#fffaf3}\n"
	".card .n{font-size:26px;font-weight:700;color:" C_RED "}\n"
	".card .t{font-size:13px;color:#555}\n"
	"section{break-inside:avoid;page-break-inside:avoid}\n"
	".chart{display:block;max-width:100%;height:auto}\n"
	".chart text{font-size:13px;fill:" C_TEXT "}\n"
	".chart .axis{font-size:11px;fill:#777}\n"
	".chart .value{font-size:12px;fill:#333}\n"
	".chart .note{font-size:12px;fill:#999}\n"
	".legend{font-size:13px;margin:2px 0 6px}\n"
	".legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:-1px;"
	"border-radius:2px}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 10px}\n"
	"th,td{border:1px solid #ddd;padding:4px 6px;text-align:right;white-space:nowrap}\n"
	"th{background:#f7efe6;font-weight:600;text-align:center}\n"
	"td.b{text-align:left}\n"
	"tfoot td{font-weight:700;background:#fbf6f0}\n"
	".small{font-size:12px;color:#666}\n"
	".notes li{margin:2px 0}\n"
	"@page{size:A4;margin:14mm 12mm}\n"
	"@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".chart{width:100%;height:auto}h2{margin-top:16px}table{font-size:10.5px}"
	"th,td{padding:2px 4px}.pb{break-before:page;page-break-before:always}}\n";

static void card(FILE *f, const char *num, const char *title)
{
	fputs("<div class=\"card\"><div class=\"n\">", f);
	print_html_escape(f, num);
	fputs("</div><div class=\"t\">", f);
	print_html_escape(f, title);
	fputs("</div></div>\n", f);
}

static void legend(FILE *f, const series *ser, int n)
{
	fputs("<div class=\"legend\">", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<i style=\"background:%s\"></i>", ser[i].color);
		print_html_escape(f, ser[i].name);
	}
	fputs("</div>\n", f);
}

static void pct_text(int64_t num, int64_t den, char *out, size_t cap)
{
	double p = stats_percent(num, den);
	if (p < 0)
		snprintf(out, cap, "—");
	else
		snprintf(out, cap, "%.1f%%", p);
}

/* Row r of the figures in print order: the branches, the subtotals per
 * general branch, then the total. */
static const stats_row *figure_row(const stats *s, size_t r)
{
	if (r < s->n)
		return &s->rows[r];
	if (r < s->n + s->n_sub)
		return &s->subtotals[r - s->n];
	return &s->total;
}

/* The overview table: the figures the committee looks at first. */
static void summary_table(FILE *f, const stats *s)
{
	static const struct {
		const char *label;
		int fig, den;   /* den >= 0: a percentage */
	} cols[] = {
		{ "党员", ST_MEMBERS, -1 },
		{ "困难党员", ST_HARDSHIP_MEMBERS, -1 },
		{ "走访", ST_VISITS, -1 },
		{ "春节覆盖率", ST_SPRING_VISITED, ST_HARDSHIP_MEMBERS },
		{ "七一覆盖率", ST_JULY_VISITED, ST_HARDSHIP_MEMBERS },
		{ "谈心谈话", ST_TALKS, -1 },
		{ "结对帮扶中", ST_PAIRINGS_ACTIVE, -1 },
		{ "表彰", ST_HONORS, -1 },
		{ "党费收缴率", ST_DUES_PAID, ST_DUES_DUE },
		{ "逾期事项", ST_OVERDUE, -1 },
	};
	char v[64];

	fputs("<table><thead><tr><th>支部</th>", f);
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(cols); i++)
		fprintf(f, "<th>%s</th>", cols[i].label);
	fputs("</tr></thead>\n<tbody>\n", f);
	/* The branches, a 小计 per general branch (it and every branch below
	 * it), then the committee's total. */
	for (size_t r = 0; r <= s->n + s->n_sub; r++) {
		const stats_row *row = figure_row(s, r);
		if (r == s->n)
			fputs("</tbody><tfoot>\n", f);
		fputs("<tr><td class=\"b\">", f);
		if (r < s->n + s->n_sub) {
			print_html_escape(f, row->name[0] ? row->name : row->branch);
			if (r >= s->n)
				fputs(" 小计", f);
			if (row->name[0]) {
				fputs(" <span class=\"small\">", f);
				print_html_escape(f, row->branch);
				fputs("</span>", f);
			}
		} else {
			fputs("合计", f);
		}
		fputs("</td>", f);
		for (size_t i = 0; i < HEARTH_ARRAY_LEN(cols); i++) {
			if (cols[i].den >= 0)
				pct_text(row->v[cols[i].fig], row->v[cols[i].den], v, sizeof(v));
			else
				snprintf(v, sizeof(v), "%lld", (long long)row->v[cols[i].fig]);
			fprintf(f, "<td>%s</td>", v);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tfoot></table>\n", f);
}

/* Every column of `hearth admin stats`, in its five groups. */
static void detail_tables(FILE *f, const stats *s)
{
	static const char *const titles[] = { "党员", "困难党员台账（按状态）", "困难党员台账（未结条目，按类型）",
		                              "关怀", "党费和逾期事项" };
	size_t n;
	const stats_column *cols = stats_columns(&n);
	char cell[64];

	for (int g = 0; g < (int)HEARTH_ARRAY_LEN(titles); g++) {
		fprintf(f, "<h3>%s</h3>\n<table><thead><tr><th>支部</th>", titles[g]);
		for (size_t i = 0; i < n; i++)
			if (cols[i].group == g) {
				fputs("<th>", f);
				print_html_escape(f, cols[i].label);
				fputs("</th>", f);
			}
		fputs("</tr></thead>\n<tbody>\n", f);
		for (size_t r = 0; r <= s->n + s->n_sub; r++) {
			const stats_row *row = figure_row(s, r);
			if (r == s->n)
				fputs("</tbody><tfoot>\n", f);
			fputs("<tr><td class=\"b\">", f);
			print_html_escape(f, r < s->n + s->n_sub ? (row->name[0] ? row->name : row->branch) : "合计");
			if (r >= s->n && r < s->n + s->n_sub)
				fputs(" 小计", f);
			fputs("</td>", f);
			for (size_t i = 0; i < n; i++) {
				if (cols[i].group != g)
					continue;
				stats_cell(&cols[i], row, cell, sizeof(cell));
				fputs("<td>", f);
				print_html_escape(f, cell);
				fputs("</td>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("</tfoot></table>\n", f);
	}
}

int report_write_html(FILE *f, const stats *s, const report_info *info)
{
	static const char *const type_labels[] = { "生活困难", "独居", "高龄", "体弱", "患病", "残疾" };
	static const char *const month_labels[] = { "1月", "2月", "3月", "4月", "5月", "6月",
		                                    "7月", "8月", "9月", "10月", "11月", "12月" };
	static const series coverage[] = {
		{ "春节", C_RED, ST_SPRING_VISITED, ST_HARDSHIP_MEMBERS, 0 },
		{ "七一", C_GOLD, ST_JULY_VISITED, ST_HARDSHIP_MEMBERS, 0 },
	};
	static const series dues[] = { { "收缴率", C_RED, ST_DUES_PAID, ST_DUES_DUE, 1 } };
	const stats_row *t = &s->total;
	int64_t types[6];
	char gen[64], synced[64], v[64], due[MONEY_YUAN_TEXT_MAX], paid[MONEY_YUAN_TEXT_MAX], title[400], scope[400] = "";

	for (int i = 0; i < 6; i++)
		types[i] = t->v[ST_HARDSHIP_TYPE_LIVING + i];
	local_time(info->generated_ms, gen, sizeof(gen));
	local_time(info->last_sync_ms, synced, sizeof(synced));
	/* A general branch's report is its own, not the committee's: its name
	 * (its row's, else its id) in the title and the scope in the header. */
	if (info->general) {
		const char *name = info->general;
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->rows[i].branch, info->general) && s->rows[i].name[0])
				name = s->rows[i].name;
		snprintf(title, sizeof(title), "%d年度%s及所属支部党内关怀帮扶工作情况", s->year, name);
		snprintf(scope, sizeof(scope), "%s（%s）及其下属支部", name, info->general);
	} else {
		snprintf(title, sizeof(title), "%d年度各支部党内关怀帮扶工作情况", s->year);
	}

	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"hearth " HEARTH_VERSION "\">\n<title>", f);
	print_html_escape(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", css);
	print_html_escape(f, title);
	fputs("</h1>\n<div class=\"meta\">组织：", f);
	print_html_escape(f, info->org);
	if (scope[0]) {
		fputs(" · 范围：", f);
		print_html_escape(f, scope);
	}
	fputs(" · 生成：", f);
	print_html_escape(f, gen);
	fputs(" · 生成人：", f);
	print_html_escape(f, info->author);
	if (s->from_committee) {
		fputs(" · 数据来源：服务器（生成时计算）", f);
	} else {
		fputs(" · 数据同步至：", f);
		print_html_escape(f, synced);
	}
	fprintf(f, " · 支部 %zu 个</div>\n</header>\n", s->n);

	/* Summary cards. */
	fputs("<section>\n<h2>总体情况</h2>\n<div class=\"cards\">\n", f);
	snprintf(v, sizeof(v), "%lld", (long long)t->v[ST_MEMBERS]);
	card(f, v, "党员（人）");
	snprintf(v, sizeof(v), "%lld", (long long)t->v[ST_HARDSHIP_MEMBERS]);
	card(f, v, "在册和帮扶中的困难党员（人）");
	snprintf(v, sizeof(v), "%lld", (long long)t->v[ST_VISITS]);
	card(f, v, "本年度走访慰问（次）");
	pct_text(t->v[ST_SPRING_VISITED], t->v[ST_HARDSHIP_MEMBERS], v, sizeof(v));
	card(f, v, "春节走访覆盖率");
	pct_text(t->v[ST_DUES_PAID], t->v[ST_DUES_DUE], v, sizeof(v));
	card(f, v, "党费收缴率");
	snprintf(v, sizeof(v), "%lld", (long long)t->v[ST_OVERDUE]);
	card(f, v, "逾期待办事项（件）");
	fputs("</div>\n</section>\n", f);

	fputs("<section>\n<h2>一、困难党员走访覆盖率（按支部）</h2>\n"
	      "<p class=\"small\">本年度春节、七一走访慰问覆盖的困难党员占在册和帮扶中困难党员的比例。</p>\n", f);
	legend(f, coverage, 2);
	chart_percent_by_branch(f, s, coverage, 2, "无在册困难党员", "困难党员走访覆盖率");
	fputs("</section>\n", f);

	fputs("<section>\n<h2>二、困难党员类型分布</h2>\n"
	      "<p class=\"small\">在册和帮扶中的台账条目按困难类型统计（一人可有多种类型）。</p>\n", f);
	chart_columns(f, type_labels, types, 6, C_RED, "困难党员类型分布");
	fputs("</section>\n", f);

	fputs("<section>\n<h2>三、走访慰问月度分布</h2>\n"
	      "<p class=\"small\">各支部本年度已走访的记录（不含计划和已取消），按月份合计。</p>\n", f);
	chart_columns(f, month_labels, t->visits_month, 12, C_GOLD, "走访慰问月度分布");
	fputs("</section>\n", f);

	money_yuan_format(t->v[ST_DUES_DUE], due);
	money_yuan_format(t->v[ST_DUES_PAID], paid);
	fprintf(f, "<section>\n<h2>四、党费收缴情况（按支部）</h2>\n"
	           "<p class=\"small\">本年度应缴 %s 元，实缴 %s 元（免缴月份不计入应缴）。</p>\n", due, paid);
	legend(f, dues, 1);
	chart_percent_by_branch(f, s, dues, 1, "本年度无应缴党费记录", "党费收缴率");
	fputs("</section>\n", f);

	fputs("<section class=\"pb\">\n<h2>五、各支部主要指标</h2>\n", f);
	summary_table(f, s);
	fputs("</section>\n<section class=\"pb\">\n<h2>六、年度分类统计（各支部合计）</h2>\n"
	      "<p class=\"small\">与各支部 hearth report year 口径一致：慰问金和慰问品按经费来源，主题活动按类型，"
	      "表彰按称号（只计已批准、已颁发），党务公开按类别，组织关系转入转出，党费收缴。</p>\n", f);
	print_html_year_tables(f, &s->total.year);
	fputs("</section>\n<section>\n<h2>附表：各项统计明细</h2>\n", f);
	detail_tables(f, s);
	fputs("</section>\n", f);

	fputs("<section>\n<h2>统计口径</h2>\n<ul class=\"notes small\">\n"
	      "<li>党员、困难党员台账和结对帮扶按当前状态统计；走访、谈心谈话、表彰和党费按所选年度统计。</li>\n"
	      "<li>困难党员：台账状态为“在册”或“帮扶中”的党员（按人去重）。走访不含“计划”和“已取消”。</li>\n"
	      "<li>覆盖率：本年度在该节日被走访的困难党员人数 ÷ 困难党员人数。</li>\n"
	      "<li>党费收缴率：实缴 ÷ 应缴（按分计算）。</li>\n"
	      "<li>表彰只计“已批准”“已颁发”，推荐中和已撤销的不计；党员人数不含去世、出党（与 hearth report year 相同）。</li>\n"
	      "<li>逾期事项（截至生成之日，与 hearth due 口径一致）：困难党员超过90天未走访、谈心谈话超过期限、"
	      "结对帮扶超过60天无进展记录、党费欠缴超过3个月（按人计）。</li>\n"
	      "</ul>\n</section>\n</main>\n</body>\n</html>\n", f);
	return ferror(f) ? HEARTH_EIO : 0;
}

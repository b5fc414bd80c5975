/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c - read a policy file (see policy.h): the line reader,
 * inih's handler, load and free.
 *
 * inih splits lines into sections, keys and values; everything else is
 * done here, because Debian's inih leaves it open: the handler gets no
 * line number (so the reader counts lines), lines longer than inih's
 * buffer would be split in two, section names are cut at 49 characters,
 * and an indented line silently continues the previous value.
 * Every name is looked up in the one sorted table of known keys
 * (policy_keys.c), whose kind parses the value (policy_value.c).
 *
 * Pass one (the inih handler) checks each line on its own and stores the
 * value; pass two (policy_validate.c) checks the policy as a whole.
 * Errors are collected with their line, sorted, and handed to the
 * caller's errlist (policy_diag.c).
 */
#include <ctype.h>
#include <ini.h>

#include "policy.h"
#include "policy_int.h"
#include "trustfile.h"

/* Report an unknown section once, at its header, not at each of its keys. */
static void unknown_section(struct policy_parser *ps, const char *section)
{
	if (ps->reported_header == ps->header_line)
		return;
	ps->reported_header = ps->header_line;
	policy_diag(ps, ps->header_line, "unknown section [%s]", section);
}

/*
 * A "[section]" line, checked here because inih calls no handler for it:
 * an unknown section is reported even if it has no keys (and by its full
 * name: inih cuts it at 49 characters), and inih would ignore text after
 * the ']' without a word ("[exec] path = /srv").
 */
static void check_header(struct policy_parser *ps, const char *line)
{
	const char *start = line + strspn(line, " \t"), *end;
	_cleanup_free_ char *name = NULL;

	if (*start != '[')
		return;
	ps->header_line = ps->line;
	end = strchr(start, ']');
	if (!end)
		return; /* inih reports it as a syntax error */
	name = strndup(start + 1, (size_t)(end - start - 1));
	if (!name) {
		ps->error = -ENOMEM;
		return;
	}
	if (!policy_section_known(name))
		unknown_section(ps, name);
	if (streq(name, "listen")) /* even with no key: nothing is allowed */
		ps->p->listen.enabled = true;
	if (streq(name, "changes")) /* even with no key: the defaults */
		ps->p->changes.enabled = true;
	if (streq(name, "respond"))
		ps->p->respond.enabled = true;
	if (streq(name, "tether"))
		ps->p->tether.enabled = true;
	end++;
	end += strspn(end, " \t");
	if (*end && *end != ';')
		policy_diag(ps, ps->line, "text after the section header [%s]",
			    name);
}

/*
 * inih's line reader. inih calls it once per line and then the handler for
 * that line, so counting here gives the handler its line number. A line
 * longer than inih's buffer holds (num - 1 characters) or with a NUL byte
 * in it (inih would stop reading there) is an error, and inih gets an
 * empty line instead. Reading whole lines here, not fgets() chunks, also
 * means the rest of a long line is never parsed as a line of its own.
 */
/*
 * The first control character in a line (other than the tab), or len.
 * inih skips any isspace() byte before a section header or key, while
 * this reader, an editor and a reviewer's eyes do not: "\f[listen]" would
 * be a section to inih and no header to check_header(). So control
 * characters are refused, never interpreted.
 */
static size_t control_char(const char *str, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)str[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return i;
	}
	return len;
}

/* True (and reported) when the line must not be parsed at all. */
static bool refuse_line(struct policy_parser *ps, const char *str,
			size_t len, size_t max, bool nul)
{
	size_t at;

	if (len > max)
		policy_diag(ps, ps->line, "line longer than %zu characters",
			    max);
	else if (nul)
		policy_diag(ps, ps->line, "line contains a NUL byte");
	else if (ps->line == 1 && len >= 3 && !memcmp(str, "\xef\xbb\xbf", 3))
		/* inih would skip it: a file read two ways is refused */
		policy_diag(ps, ps->line,
			    "the file starts with a byte-order mark: save it "
			    "without one");
	else if ((at = control_char(str, len)) < len)
		policy_diag(ps, ps->line,
			    "control character 0x%02x in column %zu",
			    (unsigned char)str[at], at + 1);
	else
		return false;
	return true;
}

static char *reader(char *str, int num, void *stream)
{
	struct policy_parser *ps = stream;
	size_t len = 0, max = (size_t)num - 1;
	int c, last = 0;
	bool nul = false;

	if (ps->error) /* out of memory: stop reading */
		return NULL;
	c = getc(ps->f);
	if (c == EOF)
		goto eof;
	ps->line++;
	for (; c != EOF && c != '\n'; last = c, c = getc(ps->f)) {
		nul |= c == '\0';
		if (len < max)
			str[len] = (char)c;
		len++;
	}
	if (c == EOF && ferror(ps->f))
		goto eof;
	len -= last == '\r'; /* CRLF: the '\r' ends the line, like '\n' */
	str[refuse_line(ps, str, len, max, nul) ? 0 : len] = '\0';
	ps->indented = isspace((unsigned char)str[0]); /* as inih's lskip() */
	check_header(ps, str);
	return str;
eof:
	if (ferror(ps->f))
		ps->error = -(errno ? errno : EIO);
	return NULL;
}

/* Keys given once per value, as many times as there are values. */
static bool is_repeatable(const struct policy_key *k)
{
	return k->kind == POLICY_LIST || k->kind == POLICY_RULE;
}

static void set_key(struct policy_parser *ps, const struct policy_key *k,
		    const char *value)
{
	size_t i = policy_key_index(k), before = ps->ndiags;

	if (ps->seen[i] && !is_repeatable(k)) {
		policy_diag(ps, ps->line, "'%s' already set at line %u",
			    k->key, ps->seen[i]);
		return;
	}
	if (!ps->seen[i])
		ps->seen[i] = ps->line;
	if (!*value)
		policy_diag(ps, ps->line, "'%s' has an empty value", k->key);
	else
		policy_value_parse(ps, k, value);
	ps->bad[i] |= ps->ndiags > before;
}

/*
 * Pass one. Always returns 1: every error is reported here with its line,
 * so inih's return value only ever means one of its own syntax errors.
 */
static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct policy_parser *ps = user;
	const struct policy_key *k;

	/* inih reads an indented line as more of the previous value. */
	if (ps->indented)
		policy_diag(ps, ps->line,
			    "indented line: continuation lines and indented "
			    "keys are not supported");
	else if (!*section)
		policy_diag(ps, ps->line, "key '%s' outside any section",
			    name);
	else if (!policy_section_known(section))
		unknown_section(ps, section);
	else if (!(k = policy_key_find(section, name)))
		policy_diag(ps, ps->line, "unknown key '%s' in section [%s]",
			    name, section);
	else
		set_key(ps, k, value);
	return 1;
}

/* Both passes; every problem ends up in ps->diags, or ps->error is set. */
static void parse(struct policy_parser *ps)
{
	int r = ini_parse_stream(reader, ps, handler, ps);

	if (ps->error == -ENOMEM)
		return;
	if (ps->error) {
		policy_diag(ps, 0, "read error: %s", strerror(-ps->error));
		return;
	}
	if (r < 0) { /* inih could not allocate its line buffer */
		ps->error = -ENOMEM;
		return;
	}
	if (r > 0) /* inih names only its first syntax error */
		policy_diag(ps, (unsigned)r, "syntax error");
	policy_validate(ps);
}

/* A new policy with every number and enum at its default (pass one). */
static struct sg_policy *policy_new(const char *name)
{
	struct sg_policy *p = calloc(1, sizeof(*p));
	size_t n;
	const struct policy_key *keys = policy_keys(&n);

	if (!p)
		return NULL;
	p->file = strdup(name);
	if (!p->file) {
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (policy_kind_scalar(keys[i].kind))
			*(unsigned *)policy_field(p, &keys[i]) = keys[i].def;
	return p;
}

static int fill_path(char **path, const char *def)
{
	if (!*path && def && !(*path = strdup(def)))
		return -ENOMEM;
	return 0;
}

static int fill_list(struct sg_pathlist *l, const char *const *defs)
{
	if (l->n)
		return 0;
	for (size_t i = 0; defs[i]; i++)
		if (policy_pathlist_add(l, defs[i], 0))
			return -ENOMEM;
	return policy_pathlist_sort(l);
}

/* A path or a list that was not given gets its default, if it has one. */
static int fill_default(struct sg_policy *p, const struct policy_key *k)
{
	if (!k->defs)
		return 0;
	if (k->kind == POLICY_PATH)
		return fill_path(policy_field(p, k), k->defs[0]);
	return fill_list(policy_field(p, k), k->defs);
}

/* After both passes found nothing wrong. */
static int fill_defaults(struct sg_policy *p)
{
	size_t n;
	const struct policy_key *keys = policy_keys(&n);

	for (size_t i = 0; i < n; i++)
		if (fill_default(p, &keys[i]))
			return -ENOMEM;
	return 0;
}

static void parser_done(struct policy_parser *ps)
{
	policy_diags_free(ps);
	free(ps->seen);
	free(ps->bad);
	sg_policy_free(ps->p);
}

int sg_policy_load_stream(FILE *f, const char *name, struct sg_policy **ret,
			  struct errlist *errs)
{
	_cleanup_(parser_done) struct policy_parser ps = { .f = f,
							   .name = name };
	size_t nkeys;
	int r;

	(void)policy_keys(&nkeys);
	ps.p = policy_new(name);
	ps.seen = calloc(nkeys, sizeof(*ps.seen));
	ps.bad = calloc(nkeys, sizeof(*ps.bad));
	if (!ps.p || !ps.seen || !ps.bad)
		return -ENOMEM;
	parse(&ps);
	if (!ps.ndiags && !ps.error)
		ps.error = fill_defaults(ps.p);
	r = policy_diags_flush(&ps, errs);
	if (ps.error)
		return ps.error;
	if (r < 0)
		return r;
	if (ps.ndiags)
		return -EINVAL;
	*ret = TAKE_PTR(ps.p);
	return 0;
}

int sg_policy_load(const char *path, struct sg_policy **ret,
		   struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;
	size_t nerrs = errs->n;
	struct sg_policy *p;
	int r;

	/* never blocks: a FIFO named as the policy is refused, not read */
	r = sg_fopen_trusted(path, &f, errs);
	if (r < 0) {
		if (errs->n == nerrs) /* the open failed: the check says why */
			(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	r = sg_policy_load_stream(f, path, &p, errs);
	if (r < 0)
		return r;
	r = sg_policy_check_symlinks(p, errs);
	if (r < 0) {
		sg_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

void sg_policy_free(struct sg_policy *p)
{
	size_t n;
	const struct policy_key *keys = policy_keys(&n);

	if (!p)
		return;
	for (size_t i = 0; i < n; i++)
		if (keys[i].kind == POLICY_LIST)
			policy_pathlist_free(policy_field(p, &keys[i]));
		else if (keys[i].kind == POLICY_PATH)
			free(*(char **)policy_field(p, &keys[i]));
	for (size_t i = 0; i < p->listen.nrules; i++)
		free(p->listen.rules[i].exe);
	free(p->listen.rules);
	free(p->file);
	free(p);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_sign.c - `sealguard keygen` and `sealguard baseline sign`: make the
 * baseline trustworthy. Both run on the image build machine; hosts get
 * only the public key and the signed baseline.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "cli.h"
#include "signature.h"

int cmd_keygen(int argc, char **argv)
{
	_cleanup_free_ char *priv = NULL, *pub = NULL;
	struct errlist errs = {};
	struct cli_opts o;
	int r;

	r = cli_parse_opts(argc, argv, "o", "keygen", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (!o.output)
		return cli_usage_error("keygen: --output PREFIX is required");
	if (asprintf(&priv, "%s.key", o.output) < 0 ||
	    asprintf(&pub, "%s.pub", o.output) < 0) {
		cli_error("out of memory");
		return SG_EXIT_ERROR;
	}
	r = sg_keygen(priv, pub, &errs);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r < 0)
		return SG_EXIT_ERROR;
	cli_error("wrote %s (private: keep it off the hosts) and %s", priv, pub);
	return SG_EXIT_OK;
}

/* The whole baseline file, after the same checks the loader makes. */
static int read_baseline_bytes(const char *file, char **ret, size_t *ret_len)
{
	struct sg_baseline *b = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	/* refuse to sign what no host would load */
	if (cli_load_baseline(file, NULL, &b) < 0)
		return -EINVAL;
	sg_baseline_free(b);
	f = fopen(file, "re");
	mem = open_memstream(&buf, &len);
	if (!f || !mem) {
		r = -errno;
		if (mem)
			(void)fclose(mem);
		free(buf);
		cli_error("%s: %s", file, strerror(-r));
		return r;
	}
	for (int c; (c = getc_unlocked(f)) != EOF;)
		(void)putc_unlocked(c, mem);
	r = ferror(f) ? -EIO : 0;
	if (fclose(mem) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		cli_error("%s: %s", file, strerror(-r));
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int cmd_baseline_sign(int argc, char **argv)
{
	_cleanup_free_ char *data = NULL, *sig = NULL;
	struct sg_policy *p = NULL;
	struct errlist errs = {};
	struct cli_opts o;
	const char *file;
	size_t len = 0;
	int r;

	r = cli_parse_opts(argc, argv, "pbk", "baseline sign", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (!o.key)
		return cli_usage_error("baseline sign: --key PRIVATE is required");
	if (!o.baseline && cli_load_policy(o.policy, &p) < 0)
		return SG_EXIT_ERROR;
	file = o.baseline ? o.baseline : p->baseline;
	r = read_baseline_bytes(file, &data, &len);
	sig = sg_signature_path(file);
	if (r == 0 && sig)
		r = sg_sign(data, len, o.key, sig, &errs);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r == 0)
		cli_error("signed %s: %s", file, sig);
	sg_policy_free(p);
	return r < 0 || !sig ? SG_EXIT_ERROR : SG_EXIT_OK;
}

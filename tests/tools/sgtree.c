/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgtree - open a new name through a detached mount (door 6's last
 * alias): a mount made with open_tree(OPEN_TREE_CLONE) is in no mount
 * namespace, so no mountinfo names it.
 *
 *   sgtree DIR NAME     open_tree(DIR, OPEN_TREE_CLONE), then
 *                       openat(tree, NAME, O_RDONLY|O_CREAT, 0644)
 *
 * Prints one line: "ok", or "open_tree:ERRNO" when the clone failed, or
 * the errno name of the open. Exit 0 either way (2 on bad usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>


static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "errno=?";
}

int main(int argc, char **argv)
{
	int tree, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sgtree DIR NAME\n");
		return 2;
	}
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[1],
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0) {
		printf("open_tree:%s\n", errname(errno));
		return 0;
	}
	fd = openat(tree, argv[2], O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	printf("%s\n", fd < 0 ? errname(errno) : "ok");
	if (fd >= 0)
		(void)close(fd);
	(void)close(tree);
	return 0;
}

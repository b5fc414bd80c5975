#!/usr/bin/env python3
# make-seeds.py - (re)write the hand-made seeds of tests/fuzz/corpus/.
#
#   tests/fuzz/make-seeds.py
#
# The seeds are the shapes each parser meets in real use (what the kernel
# writes, what an operator writes), so the fuzzers start from deep inside
# the format. Seeds named regress-* are inputs that once crashed a target
# or broke a property: they are kept by hand, this script never touches
# them. The policy seeds are copies of policy/policy.conf and the policy
# unit tests' inputs (tests/unit/policy/*.conf).
import glob
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------ policy
def policy():
    put("fuzz_policy", "example.conf",
        open(os.path.join(REPO, "policy/policy.conf"), "rb").read())
    for p in sorted(glob.glob(os.path.join(REPO, "tests/unit/policy/*.conf"))):
        shutil.copyfile(p, os.path.join(CORPUS, "fuzz_policy",
                                        "unit-" + os.path.basename(p)))


# ------------------------------------------------------------ baseline
SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
BASELINE = ("sealguard-baseline 2\nroot /etc\nroot /usr\n"
            "exclude /usr/local/var\n"
            "d 0755 0 0 - /etc\n"
            "f " + SHA + " 6 0644 0 0 - /etc/hosts\n"
            "l 0 0 - /proc/self/mounts /etc/mtab\n"
            "p 0644 0 0 - /etc/fifo\n"
            "d 0755 0 0 - /usr\n"
            "f " + SHA + " 6 0755 0 0 - /usr/bin/a\\x20b\n"
            "f " + SHA + " 6 0755 0 0 security.capability=0100000200200000"
            "0000000000000000 /usr/bin/ping\n"
            "f " + "0" * 64 + " 0 4755 0 0 - /usr/bin/su\n"
            "c 0666 0 0 1 3 - /usr/null\n"
            "b 0660 0 6 7 0 - /usr/loop0\n")
SIG = "sealguard-signature 1 ed25519 " + "ab" * 64 + "\n"


def baseline():
    put("fuzz_baseline", "three-files", BASELINE)
    put("fuzz_baseline", "header-only", "sealguard-baseline 2\n")
    put("fuzz_baseline", "old-format", "sealguard-baseline 1\nroot /usr\n")
    put("fuzz_baseline", "empty", "")
    put("fuzz_baseline", "unsorted",
        BASELINE.replace("/etc/hosts", "/zzz/hosts"))
    put("fuzz_baseline_signed", "signed", "\x00" + BASELINE)
    put("fuzz_baseline_signed", "signed-empty", "\x00")
    put("fuzz_baseline_signed", "bad-signature", "\x01" + BASELINE)
    put("fuzz_baseline_signed", "signature-line", "\x02" + SIG)
    put("fuzz_baseline_signed", "signature-two-lines", "\x02" + SIG + SIG)


# ------------------------------------------------------------ listen rules
def listen_rule():
    for i, r in enumerate(["tcp 22", "udp 53 loopback", "tcp4 443 10.0.0.1",
                           "tcp6 8000-8080 ::1 /usr/bin/x",
                           "udp 1-65535 any /usr/sbin/chronyd",
                           "udp6 123 ::ffff:127.0.0.1", "tcp 0",
                           "tcp 22 loopback /usr/sbin/sshd extra"]):
        put("fuzz_listen_rule", "rule-%d" % i, r)


# ------------------------------------------------------------ /proc text
def proc():
    for name, line in [
            ("openat-write", "257 0xffffff9c 0x7ffd2c3e 0x241 0x1b6 0x0 0x0 0x7ffd2c00 0x7f1c2a3b\n"),
            ("openat-read", "257 0xffffff9c 0x55d1 0x80000 0x0 0x0 0x0 0x7ffe10 0x7f00aa\n"),
            ("open", "2 0x55d1 0x2 0x0 0x0 0x0 0x0 0x7ffe10 0x7f00aa\n"),
            ("execve", "59 0x55d1 0x55d2 0x55d3 0x0 0x0 0x0 0x7ffe10 0x7f00aa\n"),
            ("openat2", "437 0xffffff9c 0x55d1 0x7ffe 0x18 0x0 0x0 0x7ffe10 0x7f00aa\n"),
            ("x32", "1073742081 0xffffff9c 0x55d1 0x0 0x0 0x0 0x0 0x7ffe10 0x7f00aa\n"),
            ("io-wq", "257 0xffffff9c 0x55d1 0x0 0x0 0x0 0x0 0x0 0x0\n"),
            ("running", "running\n"),
            ("not-in-syscall", "-1 0x7ffc1d0 0x7f00aa\n")]:
        put("fuzz_intent", name, line)
    put("fuzz_proc_stat", "bash",
        "22482 (bash) S 22474 22474 14401 34816 -1 4194304 101 0 0 0 0 0 0 0 "
        "20 0 1 0 1916053 3133440 408 18446744073709551615\n")
    put("fuzz_proc_stat", "name-with-parens",
        "7 (a) R 1 2 3 (b)) S 99 7 7 0 -1 0\n")
    put("fuzz_proc_stat", "no-paren", "7 a R 1 2 3\n")
    # family byte (0 other, 1 shell, 2 python, 3 perl), name length,
    # the command line, the name looked for
    for name, fam, line, base in [
            ("sh", 1, "sh\0-e\0/tmp/evil\0", "evil"),
            ("sh-c", 1, "sh\0-c\0. /tmp/evil\0sh\0", "evil"),
            ("bash-O", 1, "bash\0-O\0extglob\0/tmp/evil\0", "evil"),
            ("python", 2, "python3\0-Wignore\0-X\0dev\0x.py\0", "x.py"),
            ("perl", 3, "perl\0-lne\0print\0/tmp/evil\0", "evil"),
            ("other", 0, "ruby\0-w\0/tmp/evil", "evil")]:
        put("fuzz_scriptarg", name, chr(fam) + chr(len(base)) + line + base)
    put("fuzz_proc_status", "real",
        "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t22474\n"
        "Ngid:\t0\nPid:\t22474\nPPid:\t14401\nTracerPid:\t0\n"
        "Uid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t256\n")
    put("fuzz_proc_status", "name-lies",
        "Name:\tx\nUid:\t0 0 0 0\nTgid:\t1\nPPid:\t99\nUid:\t5\t5\n")


def mountinfo():
    put("fuzz_mountinfo", "host",
        "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
        "22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n"
        "26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
        "30 26 0:25 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=1024k\n"
        "31 26 8:1 /srv/data /mnt/bind ro,noexec master:1 - ext4 /dev/sda1 ro\n"
        "32 30 7:0 / /tmp/with\\040space rw - ext2 /dev/loop0 rw\n")
    put("fuzz_mountinfo", "no-separator", "21 26 0:20 / /proc rw,relatime proc proc rw\n")
    put("fuzz_mountinfo", "stacked",
        "26 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "40 26 0:30 / /a rw - tmpfs t rw\n"
        "41 40 0:31 / /a rw - tmpfs t rw\n")


# ------------------------------------------------------------ netlink
NLMSG_ERROR, NLMSG_DONE, SOCK_DIAG_BY_FAMILY = 2, 3, 20


def nlmsg(mtype, payload, seq=1, flags=0):
    return struct.pack("=IHHII", 16 + len(payload), mtype, flags, seq, 0) + \
        payload + b"\0" * (-len(payload) % 4)


def inet_diag_msg(family, state, sport, dport, uid, inode, cookie):
    # struct inet_diag_msg: family, state, timer, retrans; sockid (48);
    # expires, rqueue, wqueue, uid, inode (5 x u32) = 72 bytes
    sockid = struct.pack(">HH", sport, dport) + bytes([127, 0, 0, 1]) + \
        b"\0" * 12 + b"\0" * 16 + \
        struct.pack("=III", 0, cookie & 0xffffffff, cookie >> 32)
    return struct.pack("=BBBB", family, state, 0, 0) + sockid + \
        struct.pack("=IIIII", 0, 0, 0, uid, inode)


def nlerr(err, seq=1):
    return nlmsg(NLMSG_ERROR, struct.pack("=i", err) +
                 struct.pack("=IHHII", 72, 20, 0, seq, 0), seq)


def sockdiag():
    tcp = inet_diag_msg(2, 10, 22, 0, 0, 1234, 77)
    udp_conn = inet_diag_msg(10, 7, 53, 4444, 0, 1235, 78)
    udp = inet_diag_msg(10, 7, 123, 0, 101, 1236, 79)
    put("fuzz_sockdiag", "tcp-dump", b"\x00" + nlmsg(SOCK_DIAG_BY_FAMILY, tcp, flags=2)
        + nlmsg(NLMSG_DONE, struct.pack("=i", 0), flags=2))
    put("fuzz_sockdiag", "udp-dump", b"\x02" + nlmsg(SOCK_DIAG_BY_FAMILY, udp_conn)
        + nlmsg(SOCK_DIAG_BY_FAMILY, udp) + nlmsg(NLMSG_DONE, b"\0" * 4))
    put("fuzz_sockdiag", "dump-stale-then-error", b"\x00" +
        nlmsg(SOCK_DIAG_BY_FAMILY, tcp, seq=0) + nlerr(-16))
    put("fuzz_sockdiag", "dump-part", b"\x00" + nlmsg(SOCK_DIAG_BY_FAMILY, tcp))
    put("fuzz_sockdiag", "ack-ok", b"\x01" + nlerr(0))
    put("fuzz_sockdiag", "ack-enoent", b"\x01" + nlerr(-2))
    put("fuzz_sockdiag", "ack-short-error", b"\x01" +
        struct.pack("=IHHII", 18, NLMSG_ERROR, 0, 1, 0) + b"\xfe\xff")


# ------------------------------------------------------------ fanotify
FAN_OPEN_PERM, FAN_OPEN_EXEC_PERM = 0x10000, 0x40000
FAN_CREATE, FAN_RENAME, FAN_ONDIR, FAN_Q_OVERFLOW = 0x100, 0x10000000, 0x40000000, 0x4000
DFID_NAME, OLD_DFID_NAME, NEW_DFID_NAME, PIDFD = 2, 10, 12, 4


def meta(mask, fd, pid, rest=b""):
    return struct.pack("=IBBHQii", 24 + len(rest), 3, 0, 24, mask, fd, pid) + rest


def fid(itype, handle, name):
    body = struct.pack("=ii", 42, 0) + struct.pack("=Ii", len(handle), 1) + \
        handle + (name + b"\0" if name is not None else b"")
    n = 4 + len(body)
    body += b"\0" * (-n % 4)
    return struct.pack("=BBH", itype, 0, 4 + len(body)) + body


def pidfd(fd):
    return struct.pack("=BBHi", PIDFD, 0, 8, fd)


def fanotify():
    put("fuzz_fan_perm", "open-and-exec",
        meta(FAN_OPEN_PERM, 5, 100) + meta(FAN_OPEN_EXEC_PERM, 6, 101))
    put("fuzz_fan_perm", "overflow-nofd", meta(0x4000, -1, 0))
    h = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    put("fuzz_fan_changes", "create",
        meta(FAN_CREATE, -1, 200, fid(DFID_NAME, h, b"new-file") + pidfd(9)))
    put("fuzz_fan_changes", "rename",
        meta(FAN_RENAME | FAN_ONDIR, -1, 201, fid(OLD_DFID_NAME, h, b"a") +
             fid(NEW_DFID_NAME, h, b"b") + pidfd(-1)))
    put("fuzz_fan_changes", "two-events",
        meta(FAN_CREATE, -1, 1, fid(DFID_NAME, h, b"x")) +
        meta(FAN_Q_OVERFLOW, -1, 0))
    put("fuzz_fan_changes", "tail-shorter-than-metadata",
        meta(FAN_CREATE, -1, 1, fid(DFID_NAME, h, b"x")) + b"\x03\x00\x18\x00")


if __name__ == "__main__":
    policy()
    baseline()
    listen_rule()
    proc()
    mountinfo()
    sockdiag()
    fanotify()

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * messages.h - the stable MESSAGE_ID of every kind of journal entry
 * sealguardd writes. They never change once released: operators filter on
 * them (`journalctl MESSAGE_ID=...`) and the catalog
 * (packaging/sealguard.catalog) explains each one. Add, never reuse.
 */
#ifndef SEALGUARD_MESSAGES_H
#define SEALGUARD_MESSAGES_H

/* A write-open of a protected file was denied (or would be, permissive). */
#define SG_MSGID_WRITE_DENIED "c78e863500844543a68fdeb6331cee0e"
#define SG_MSGID_WRITE_WOULD_DENY "af6dea96d5cf4463b33c813b978cfda7"
/* A write-open was allowed and the policy asks to log it. */
#define SG_MSGID_WRITE_ALLOWED "46922b0c92e845a9b762c3617a168e3e"
/* An exec (or a loader's open) of an untrusted file was denied. */
#define SG_MSGID_EXEC_DENIED "c044eee549834822aacd7cfe525b6bc9"
#define SG_MSGID_EXEC_WOULD_DENY "83dd8e9f4f7f467b9f8fe89dccbc6061"
/* A trusted exec was allowed and the policy asks to log it. */
#define SG_MSGID_EXEC_ALLOWED "b9ad49dbf307408ab05c1902dca5dd88"
/* Identical entries were suppressed by the rate limit. */
#define SG_MSGID_SUPPRESSED "652c20d8bdfc45f593f13107efcf631f"
/* The daemon sealed the host: every mark is in place. */
#define SG_MSGID_STARTED "c5ee8a02da054c3b9aedaa7a998fbd7f"
/* The daemon stopped (cleanly, or on a fatal error). */
#define SG_MSGID_STOPPED "2d1f093952d64ab394c04abe28aec33d"
/* The daemon runs without its seccomp filter (--seccomp off, for a memory
 * checker): logged at crit once, at the seal. */
#define SG_MSGID_SECCOMP_OFF "a1b648368e324f6790fb2b06c47f13f3"
/* The daemon refused to start (bad policy, baseline, or environment). */
#define SG_MSGID_START_FAILED "4f523790d417466792372df16466e740"
/* Marks changed at run time (a mount appeared or went under a path). */
#define SG_MSGID_MOUNTS_CHANGED "e751ff297f9049a38f185649c1190435"
/* Journal entries were lost (log queue full) or the kernel queue overflowed. */
#define SG_MSGID_LOG_LOST "aa1d31c3479d487e947ad5e4d940f409"
/* Listener guard: a listener no rule allows was destroyed (SOCK_DESTROY,
 * verified gone), its owners killed, or (permissive, action = log) only
 * logged. */
#define SG_MSGID_LISTEN_DESTROYED "2d02cc6943b543e184b6bd129b0fd7b2"
#define SG_MSGID_LISTEN_KILLED "5026e293d34446e2b2e709fcda993daf"
#define SG_MSGID_LISTEN_WOULD_DENY "56d96e84fd944d1981fac7c5a9452fd1"
/* A violating listener could not be stopped: it still listens. */
#define SG_MSGID_LISTEN_FAILED "c54b81a8e05f4c3282d09cdde1822768"
/* A violating listener closed by its owner before it could be destroyed. */
#define SG_MSGID_LISTEN_GONE "b114e5cdf0684da9a28cb52f29feee56"
/* An allowed listener (the listening surface at seal time). */
#define SG_MSGID_LISTEN_ALLOWED "ac70ffcf8632459abb9259afc4a2db51"
/* The listener guard's start: how many listeners at seal time. */
#define SG_MSGID_LISTEN_STARTED "866f2f9e59a94385a605a0940fcbdd6d"
/* A listener scan failed (netlink error); the next one is retried. */
#define SG_MSGID_LISTEN_SCAN_ERROR "3d7171e93e804c1d96fdf468811a613a"
/* Change detection (issue #5, docs/changes.md): a file or directory under
 * a protected path was created, deleted, renamed, or had its content or
 * attributes changed. */
#define SG_MSGID_CHANGE "bd8ed0d140ba41aa9bd13e003c648878"
/* A mount appeared, went or was remounted under or over a protected path. */
#define SG_MSGID_MOUNT_CHANGE "dc722a3f73a24e0ab88a87e96a266693"
/* The change notification queue overflowed: events were lost. */
#define SG_MSGID_CHANGES_OVERFLOW "b0a8f327ee2c45fdb647af96817032ad"
/* A verify pass found a file that differs from the baseline. */
#define SG_MSGID_DRIFT "13da0571c1bd43c6a197021366dda9ff"
/* A verify pass ended (with its counts) or failed. */
#define SG_MSGID_VERIFY_DONE "671c242cdda64d3e95d73af927090772"
/* The protected-inode index (built after READY) is complete, was given
 * up at a stop, or failed (crit: every inode then counts as protected). */
#define SG_MSGID_INDEX "5cd2d6b8e9a94ea186844880f474ab59"
/* A protected path was sealed read-only (a read-only bind mount). */
#define SG_MSGID_SEALED "28cc0b0c7732416c915d9131d1bc683a"
/* A read-only seal was restored after a remount or unmount (or could
 * not be). */
#define SG_MSGID_RESEALED "1c8a19be9ed94d8b975831a553f440e4"

/* The kernel could not hand the daemon a permission event (it could not
 * make the event's descriptor: EMFILE, ENFILE, ENOMEM) and denied the open
 * or exec itself; the daemon goes on with the next event. */
#define SG_MSGID_EVENT_UNDELIVERED "5b0c3f6e8a2d4c71b9e4d07a6f31c28e"

/* How the previous instance ended (clean stop, or killed/crashed). */
#define SG_MSGID_PREVIOUS_END "d977b100ecf64e72956e71ca7cf59fb9"

/* A tracer (ptrace) on the daemon or its responder, or the daemon
 * stopped (SIGSTOP, ptrace-stop): logged at alert (SEALGUARD_EVENT=tamper)
 * by whichever of the two watchers found it, and answered. */
#define SG_MSGID_TAMPER "ee987d6be9e14e3a81630bf1c4971e53"

/* A host setting was changed by the [harden] section. */
#define SG_MSGID_HARDENED "1a51ccab80f949249ad34704c1c486a0"

/* [respond]: a response to a violation was taken, failed, or (permissive)
 * would have been: kill, freeze, hook. */
#define SG_MSGID_RESPONSE "9083347e02684a05a308f24458a9b6c9"
/* The host asked to be replaced (lifetime reached, or a first violation
 * of a chosen kind), and what the reprovision program answered. */
#define SG_MSGID_REPROVISION "410c056f14d94f6c9d0c653b76643537"
/* The responder (the helper that runs hooks and freezes) died. */
#define SG_MSGID_RESPONDER_LOST "61563cd76e5b4d1e86f7d9f1188597b1"

/* The tether's heartbeat (docs/fleet.md): alive, sealed, which policy,
 * baseline and key, counters since start; every heartbeat_interval s. */
#define SG_MSGID_HEARTBEAT "d5e7f95d00d0426092ca798d9b181ec7"

/* Block devices under marked filesystems (fan/blockdev.c): whether the
 * kernel refuses writes to mounted devices itself (at start). */
#define SG_MSGID_BLOCKDEV_KERNEL "e232a5993ad245839b9f56d56218008f"
/* A new device node for a guarded block device appeared in /dev (someone
 * made a way to the device of a protected filesystem). */
#define SG_MSGID_BLOCKDEV_NODE "faf5d388986a467e9f09a0ba59e8159f"

/* The device guard (fan/devcg.c): attached, not attached (and why), or
 * found detached by someone and attached again. */
#define SG_MSGID_DEVGUARD "ab3ccfcb771e45d982fcad4c2163f29e"

/* A filesystem of another mount namespace marked (or that could not be
 * marked) for exec checks (fan/guard_ns.c, issue #12 door 3). */
#define SG_MSGID_MNTNS_MARKED "d5f49c0036454ee683a5b1a6848173a3"
/* A program found running from a filesystem of another mount namespace
 * that was not yet marked when it started: it slipped through the window
 * between the mount and the mark. */
#define SG_MSGID_MNTNS_EXEC "7dadb68c75924c3091d002790b404661"

/* `sealguard selftest` (the CLI, not the daemon): its verdict on whether
 * the running daemon enforces (SEALGUARD_EVENT=selftest, with one field
 * per check and SEALGUARD_SELFTEST_RESULT = pass | fail | error). */
#define SG_MSGID_SELFTEST "2a382623d45a4f3b89c278a2f017dd14"

/* The maintenance window (maint/window.c, maintenance.h): opened for a
 * command tree by `sealguard maintenance`, closed (by the CLI, the
 * command's end, its bound or the daemon's stop), or refused. */
#define SG_MSGID_MAINTENANCE_OPEN "58a8a5a1272040a59579e098889300ed"
#define SG_MSGID_MAINTENANCE_CLOSED "3c84bb66f0d3499db09ade961156b5a9"
#define SG_MSGID_MAINTENANCE_REFUSED "9701c3dd6b18456eaac4b90799cca119"

#endif

#!/bin/sh
# PID 1 of a throwaway User-Mode Linux guest started by umlrun.sh: the host's root is
# mounted read-only (hostfs), the UML kernel's modules are bound over /lib/modules inside
# the guest only (ip_vs is loaded), the job directory JOBDIR (from the kernel command line) is mounted
# read-write at /job, then /job/job.sh runs and the guest powers off.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm 2>/dev/null || { mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm; }
mount -t tmpfs tmpfs /mnt
mkdir -p /mnt/job
mount -t hostfs none /mnt/job -o "$JOBDIR"
# The host has no /lib/modules of its own for this kernel: give modprobe a module root
# under /srv (a tmpfs inside the guest only) and use it as `modprobe -d /srv`.
mount -t tmpfs tmpfs /srv
mkdir -p "/srv/lib/modules/$(uname -r)"
mount --bind "/usr/lib/uml/modules/$(uname -r)" "/srv/lib/modules/$(uname -r)"
# The kernel loads schedulers (ip_vs_rr, ...) on demand through its modprobe helper.
printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /srv "$@"\n' > /run/modprobe
chmod +x /run/modprobe
echo /run/modprobe > /proc/sys/kernel/modprobe
modprobe -d /srv ip_vs
ip link set lo up
cd /mnt/job || poweroff -f
HOME=/tmp sh ./job.sh > job.out 2> job.err
echo $? > job.rc
sync
poweroff -f

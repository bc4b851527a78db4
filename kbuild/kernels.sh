# Sourced by the scripts that need a kernel of kbuild/kernels: reads
# that file and reaches each release's archive through a private apt
# configuration under $BRCM_SYSCACHE/apt/RELEASE, leaving the system's
# own apt configuration alone.
#
# BRCM_SYSCACHE (/var/cache/brcmlink) holds what outlives a clone:
# unpacked kernels, build roots, the debug kernel.

kernels_file=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kernels
syscache=${BRCM_SYSCACHE:-/var/cache/brcmlink}

# kernels_list: every ABI, the default first.
kernels_list() {
	awk '!/^#/ && NF == 3 { print $2 }' "$kernels_file"
}

kernels_default() {
	kernels_list | head -n1
}

# kernels_field ABI N: field N (1 release, 3 version) of ABI's line.
kernels_field() {
	local f
	f=$(awk -v abi="$1" -v n="$2" '!/^#/ && $2 == abi { print $n }' "$kernels_file")
	if [ -z "$f" ]; then
		echo "kernels: $1 is not in $kernels_file (it has: $(kernels_list | tr '\n' ' '))" >&2
		return 1
	fi
	echo "$f"
}

# kapt_sources RELEASE: the apt sources of RELEASE, at the mirror the
# system's sources name.
kapt_sources() {
	local release=$1 conf=/etc/apt/sources.list.d/debian.sources mirror security
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' "$conf" 2>/dev/null | grep -v security | head -n1)
	security=$(sed -n 's/^URIs: *\([^ ]*security[^ ]*\).*/\1/p' "$conf" 2>/dev/null | head -n1)
	echo "deb ${mirror:-http://deb.debian.org/debian} $release main"
	# A stable release's kernels move on in its updates and security suites.
	if [ "$release" != sid ]; then
		echo "deb ${mirror:-http://deb.debian.org/debian} $release-updates main"
		echo "deb ${security:-http://deb.debian.org/debian-security} $release-security main"
	fi
}

# kapt RELEASE apt-get|apt-cache ARGS...: the command against RELEASE's
# archive. The lists are refreshed when older than a day. The archive may
# be a snapshot whose Release has passed its Valid-Until.
kapt() {
	local release=$1 tool=$2
	shift 2
	local dir=$syscache/apt/$release
	local opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o Acquire::Check-Valid-Until=false)
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	kapt_sources "$release" >"$dir/sources.list"
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		apt-get "${opts[@]}" update -qq >&2
	fi
	"$tool" "${opts[@]}" "$@"
}

# debootstrap_root RELEASE ROOT: a minimal root of RELEASE made afresh at
# ROOT, whose apt reaches RELEASE's archive as kapt does; the log in
# ROOT.log, its tail on standard error if it fails.
debootstrap_root() {
	local release=$1 root=$2 mirror
	host_packages debootstrap
	mirror=$(kapt_sources "$release" | awk 'NR == 1 { print $2 }')
	rm -rf "$root" && mkdir -p "$root"
	debootstrap --variant=minbase "$release" "$root" "$mirror" >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; return 1; }
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# The archive may be a snapshot whose Release has passed its Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99brcm-snapshot"
	kapt_sources "$release" >"$root/etc/apt/sources.list"
}

# in_root ROOT SCRIPT: runs the shell SCRIPT in ROOT (kbuild/inroot), its
# output added to ROOT.log, the log's tail on standard error if it fails.
in_root() {
	"$(dirname "${BASH_SOURCE[0]}")/inroot" "$1" sh -c "$2" >>"$1.log" 2>&1 ||
		{ tail -n 20 "$1.log" >&2; return 1; }
}

# host_release: the host's Debian release (bookworm, trixie, ...).
host_release() {
	(. /etc/os-release && echo "$VERSION_CODENAME")
}

# host_packages PKG[=VERSION]...: installs from the host's archive each
# PKG that is not installed, or not at VERSION; the rest is left alone.
host_packages() {
	local p have missing=()
	for p; do
		have=$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null) || have=
		case $p in
		*=*) [ "$have" = "install ok installed ${p#*=}" ] || missing+=("$p") ;;
		*) case $have in "install ok installed "*) ;; *) missing+=("$p") ;; esac ;;
		esac
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	echo "${0##*/}: installing ${missing[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

#!/usr/bin/env bash
# new-resource.sh NAME SERVICE: the files of a new resource wagtail_NAME on
# the AWS service SERVICE, from the templates beside this script, registered
# and wired into the tests (`make new-resource NAME=x SERVICE=y` runs it):
#
#   resources/NAME.c              schema, AWS rules, CRUD and import handlers
#   tests/unit/test_NAME.c        the schema's checks, before any AWS call
#   docs/resources/NAME.md        the registry page (tests/docs/check_docs.py)
#   tests/acceptance/NAME.sh      both CLIs against moto
#   resources/registry.def        RESOURCE(NAME), in order
#   tests/run.sh                  the acceptance stage, before `release`
#   tests/acceptance/state_upgrade.sh  NAME among the types added after 0.1.0
#   docs/index.md                 the link to the page, in order
#
# SERVICE is one of the aws_service names in aws/client.h; its wire protocol
# picks the template (JSON 1.1, Query or REST-JSON). An existing name is
# refused before anything is written. Run from anywhere; ROOT (default: this
# checkout) is the tree written to.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=${ROOT:-$(cd "$here/.." && pwd)}
name=${1:-}
service=${2:-}

die() {
	echo "new-resource: $*" >&2
	exit 1
}

[ -n "$name" ] && [ -n "$service" ] || die "usage: make new-resource NAME=x SERVICE=y (y: logs, ecs, ecr, ssm, secretsmanager, lambda, rds, iam, ec2)"
[[ $name =~ ^[a-z][a-z0-9]*(_[a-z0-9]+)*$ ]] || die "NAME '$name': lower-case letters, digits and single underscores, starting with a letter (it becomes wagtail_$name and C identifiers)"
[ ${#name} -le 48 ] || die "NAME '$name' is longer than 48 characters"

# What each service's template needs: its protocol, then the guesses for the
# gone code, the name member and the listing's member, which the author
# checks against the service's API.
pascal=$(echo "$name" | awk -F_ '{ for (i = 1; i <= NF; i++) printf "%s", toupper(substr($i, 1, 1)) substr($i, 2) }')
camel=$(echo "$pascal" | awk '{ printf "%s", tolower(substr($0, 1, 1)) substr($0, 2) }')
path=
case "$service" in
logs | ecs | ecr)
	protocol=json member=${camel}Name list=${camel}s
	case "$service" in logs) gone=ResourceNotFoundException ;; *) gone=${pascal}NotFoundException ;; esac ;;
ssm) protocol=json member=Name list=${pascal}s gone=${pascal}NotFound ;;
secretsmanager) protocol=json member=Name list=${pascal}s gone=ResourceNotFoundException ;;
rds) protocol=query member=${pascal}Identifier list=${pascal}s gone=${pascal}NotFoundFault ;;
iam) protocol=query member=${pascal}Name list=${pascal}s gone=NoSuchEntity ;;
ec2) protocol=query member=${pascal}Name list=${pascal}s gone=Invalid${pascal}.NotFound ;;
lambda) protocol=rest member=${pascal}Name list= gone=ResourceNotFoundException path=/2015-03-31/${camel}s ;;
sts) die "SERVICE sts: STS makes nothing to manage; a data source suits it (resources/caller_identity.c)" ;;
*) die "SERVICE '$service' is not an aws_service of aws/client.h (logs, ecs, ecr, ssm, secretsmanager, lambda, rds, iam, ec2)" ;;
esac

source_file=$root/resources/$name.c
test_file=$root/tests/unit/test_$name.c
doc_file=$root/docs/resources/$name.md
acceptance_file=$root/tests/acceptance/$name.sh
registry=$root/resources/registry.def
stage=${name//_/-}

# Refuse before writing anything: a name already in use anywhere.
for f in "$source_file" "$test_file" "$doc_file" "$acceptance_file"; do
	[ ! -e "$f" ] || die "wagtail_$name exists already: ${f#"$root"/}"
done
! grep -qE "^(RESOURCE|DATA_SOURCE)\($name\)" "$registry" || die "wagtail_$name is in resources/registry.def already"
! grep -q "\"$stage " "$root/tests/run.sh" || die "tests/run.sh has a stage $stage already"
! grep -qE "^(extern )?const resource_def (resource|data)_$name\b" "$root"/resources/*.c ||
	die "a resources/*.c file defines resource_$name or data_$name already"

fill() {
	sed -e "s|@NAME@|$name|g" -e "s|@TYPE@|wagtail_$name|g" -e "s|@SERVICE@|$service|g" \
		-e "s|@SVC@|aws_$service|g" -e "s|@PASCAL@|$pascal|g" -e "s|@TITLE@|${name//_/ }|g" \
		-e "s|@STAGE@|$stage|g" -e "s|@MEMBER@|$member|g" -e "s|@LIST@|$list|g" \
		-e "s|@GONE@|$gone|g" -e "s|@PATH@|$path|g" "$here/$1" >"$2"
}

fill "resource_$protocol.c.tmpl" "$source_file"
fill test.c.tmpl "$test_file"
fill doc.md.tmpl "$doc_file"
fill acceptance.sh.tmpl "$acceptance_file"
chmod +x "$acceptance_file"

# RESOURCE(name) before the first resource that sorts after it, else after
# the last resource (data sources follow the resources).
edit() { # FILE AWK-PROGRAM: rewrites FILE through awk (-v name, stage)
	local file=$1 tmp
	tmp=$(mktemp)
	awk -v name="$name" -v stage="$stage" "$2" "$file" >"$tmp" && cat "$tmp" >"$file"
	rm -f "$tmp"
}
edit "$registry" '
	!done && /^RESOURCE\(/ { n = $0; sub(/^RESOURCE\(/, "", n); sub(/\).*/, "", n)
		if (n > name) { print "RESOURCE(" name ")"; done = 1 } }
	!done && /^DATA_SOURCE\(/ { print "RESOURCE(" name ")"; done = 1 }
	{ print }
	END { if (!done) print "RESOURCE(" name ")" }'

# The acceptance stage, before the release stage (which packages what the
# stages before it tested).
edit "$root/tests/run.sh" '
	/^acceptance_stages=\(/ { inside = 1 }
	inside && !done && /"release / { printf "\t\"%s tests/acceptance/%s.sh\"\n", stage, name; done = 1 }
	inside && /^\)/ { if (!done) printf "\t\"%s tests/acceptance/%s.sh\"\n", stage, name; inside = 0; done = 1 }
	{ print }'

# A type 0.1.0 did not have has no state of 0.1.0 to upgrade: the
# state-upgrade stage is told so.
edit "$root/tests/acceptance/state_upgrade.sh" '
	/^added_after_0_1_0=\(/ && !done { sub(/\)$/, " " name ")"); done = 1 }
	{ print }'

# The link on docs/index.md, among the other resources' links, in order.
edit "$root/docs/index.md" '
	function link() { printf "- [wagtail_%s](resources/%s.md)\n", name, name }
	/^- \[wagtail_[a-z0-9_]*\]\(resources\// { seen = 1; n = $0; sub(/^- \[wagtail_/, "", n); sub(/\].*/, "", n)
		if (!done && n > name) { link(); done = 1 } }
	seen && !done && !/^- \[wagtail_[a-z0-9_]*\]\(resources\// { link(); done = 1 }
	{ print }'

cat <<MSG
new-resource: wagtail_$name on $service ($protocol), written:
  resources/$name.c  tests/unit/test_$name.c  docs/resources/$name.md  tests/acceptance/$name.sh
  and registered: resources/registry.def, tests/run.sh (stage $stage), docs/index.md,
  tests/acceptance/state_upgrade.sh (a type added after 0.1.0)
Next (docs/contributing.md):
  make BUILD=build-dev build-dev/unit-tests && tests/unit/run.sh build-dev/unit-tests
  then the real actions and members in resources/$name.c, the check commands
  tests/acceptance/$name.sh calls in tests/acceptance/aws_check.py, and the page.
MSG

# clis.sh: what the acceptance scripts (lib.sh) and tests/run.sh both need to
# know of a CLI binary. Sourced.
# shellcheck shell=bash

# cli_version_of BINARY: `tofu 1.12.6-dev` or `terraform 1.11.4`, from the
# first line of its `version` (read with an empty CLI config and no
# checkpoint call, so no config warning or upgrade notice comes first).
cli_version_of() {
	TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 timeout 60 "$1" version 2>/dev/null | sed -n -E \
		-e '1s/^OpenTofu v([0-9]+\.[0-9]+\.[0-9]+[^ ]*).*/tofu \1/p' -e '1s/^Terraform v([0-9]+\.[0-9]+\.[0-9]+[^ ]*).*/terraform \1/p'
}

# terraform_111_problem CANDIDATE [TERRAFORM_BIN]: prints nothing when
# CANDIDATE is a Terraform 1.11 or newer other than TERRAFORM_BIN (the
# `terraform` CLI, 1.8.5), else why it is not one.
terraform_111_problem() {
	local candidate=$1 terraform_bin=${2:-} kind found
	if [ ! -x "$candidate" ]; then
		echo "no executable $candidate"
		return
	fi
	read -r kind found < <(cli_version_of "$candidate")
	if [ "${kind:-}" != terraform ]; then
		echo "$candidate is not Terraform ($(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$candidate" version 2>&1 | head -n 1))"
	elif ! [[ $found =~ ^([0-9]+)\.([0-9]+)\. ]] ||
		[ "${BASH_REMATCH[1]}" -lt 1 ] || { [ "${BASH_REMATCH[1]}" = 1 ] && [ "${BASH_REMATCH[2]}" -lt 11 ]; }; then
		echo "$candidate is Terraform $found, older than 1.11"
	elif [ -n "$terraform_bin" ] && [ "$(realpath "$candidate")" = "$(realpath "$terraform_bin")" ]; then
		echo "$candidate is the terraform CLI already (TERRAFORM_BIN)"
	fi
}

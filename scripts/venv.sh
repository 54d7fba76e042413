# Sourced by run.sh and test.sh from the repository root: create .venv with
# $PYTHON (default python3) unless it exists, then install this project into it
# with the extras given as $1 (for example "[dev]").
install_into_venv() {
    local python=${PYTHON:-python3}
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv with $("$python" --version)"
        "$python" -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${1:-}"
}

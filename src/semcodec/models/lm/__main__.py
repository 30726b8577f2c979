"""``python -m semcodec.models.lm fingerprint SPEC``: print a model's prior and fingerprint.

For maintainers of the LM table (a row's fingerprint is recorded once someone with the weights
has computed it) and for users who want to know which ``lm-custom`` model a file needs.
"""

from __future__ import annotations

import sys

from ...errors import SemcodecError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "fingerprint":
        print("usage: python -m semcodec.models.lm fingerprint MODEL (a table name, Hub repo id or folder)",
              file=sys.stderr)
        return 2
    from . import load_model

    try:
        model = load_model(args[1])
    except SemcodecError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print(f"{model.prior} {model.fingerprint:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

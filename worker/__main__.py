"""python -m worker pretrain|finetune|import --config cfg.json   (and: python -m worker doctor)

Exit status 0 on success; on failure an {"event":"error","message","inputError"} line is printed first (inputError: bad
config or data, not worth retrying)."""

import argparse
import json
import sys
import traceback

from .events import emit


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m worker")
    ap.add_argument("command", choices=["pretrain", "finetune", "import", "baseline", "doctor"])
    ap.add_argument("--config", help="JSON config file (docs/pretraining.md)")
    args = ap.parse_args(argv)
    if args.command == "doctor":
        from .doctor import report

        print(json.dumps(report()))
        return 0
    from .config import ConfigError

    try:
        if not args.config:
            raise ConfigError("--config: required")
        try:
            raw = json.load(open(args.config))
        except (OSError, ValueError) as e:
            raise ConfigError(f"--config: cannot read {args.config}: {e}") from None
        if args.command == "baseline":
            from .baseline import baseline

            baseline(raw)
            return 0
        if args.command == "finetune":
            from .finetune import finetune

            finetune(raw)
            return 0
        if args.command == "import":
            from .import_model import import_model

            import_model(raw)
            return 0
        from .train import pretrain

        pretrain(raw)
        return 0
    except ConfigError as e:
        emit("error", message=str(e), inputError=True)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    except ModuleNotFoundError as e:
        emit("error", message=f"{e}: install the worker's requirements: pip install -r worker/requirements.txt", inputError=True)
        return 3
    except BaseException as e:  # noqa: BLE001
        traceback.print_exc()
        emit("error", message=f"{type(e).__name__}: {e}", inputError=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())

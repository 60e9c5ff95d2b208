"""`make bench`: part one, the hot paths over HTTP on the real server under load
(bench/http.py); part two, the dashboard and changelists over 1,000,000 rows
(bench/bigtable.py). Each part runs in a process of its own, with its own settings.

    python -m bench            # both parts
    python -m bench --http     # part one alone
    python -m bench --big      # part two alone (--explain: and its query plans)
"""

import os
import subprocess
import sys


def big():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from bench import bigtable

    bigtable.main()


def main(argv):
    if "--http" in argv:
        from bench import http

        http.main()
    elif "--big" in argv:
        big()
    else:
        for flag in ("--http", "--big"):
            subprocess.run([sys.executable, "-m", "bench", flag, *argv], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])

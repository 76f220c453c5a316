"""QA forms automation: `python run.py --help` lists the commands."""

from processors.cli import main

if __name__ == "__main__":
    main()

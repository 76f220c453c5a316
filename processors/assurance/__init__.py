"""Other sources of assurance (QAF 1.7, 4.2.1, 4.2.5, 5.7, 6.2, 8.3) that live in other systems and arrive as
CSV or Excel exports: ``python run.py import KIND FILE``. ``kinds`` says what each export must hold,
``importer`` checks a file and stores its rows (``processors.store.assurance``)."""

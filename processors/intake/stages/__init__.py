"""The stages of intake (their order: order.py). `ingest`, the folder watcher, the SharePoint watcher and the mailbox
watcher all run this list:

hash -> duplicate check -> safety checks -> read -> identify -> sender check (forms that came by email)
-> validate -> record (the form, or the rejection) -> file away -> notify.

The register is written once per batch (or debounced in `watch`) afterwards.
"""

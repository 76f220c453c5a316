"""The stages of intake (their order: order.py). `ingest`, the folder watcher, the SharePoint watcher and the mailbox
watcher all run this list:

hash -> duplicate check -> safety checks -> read -> identify -> sender check (forms that came by email)
-> validate -> record (the form, or the rejection)
-> raise concern (a rejected file's immediate concern still alerts)
-> file away -> answer sender (a rejected form goes back to who sent it)
-> notify -> follow up (findings to the team manager; a request for SMART actions).

The register is written once per batch (or debounced in `watch`) afterwards.
"""

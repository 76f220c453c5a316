"""The fake Graph itself, probed with plain HTTP: each behaviour taken from Graph's reference is pinned here,
so a fake that stops behaving like Graph fails a test even where the client would not notice."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.fake_graph import (
    DRIVE,
    MAILBOX,
    MAILBOX_ID,
    MAILBOX_UPN,
    MAX_REQUEST,
    OFFICE_SIZE_DRIFT,
    TOKEN,
    FakeGraph,
    fake_graph,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with fake_graph(page_size=50) as server:
        yield server


def get(fake: FakeGraph, path: str, **kwargs: object) -> requests.Response:
    return requests.get(f"{fake.base_url}/{path}", headers=AUTH, timeout=10, **kwargs)  # type: ignore[arg-type]


def post(fake: FakeGraph, path: str, body: bytes) -> requests.Response:
    return requests.post(f"{fake.base_url}/{path}", data=body, timeout=10,
                         headers={**AUTH, "Content-Type": "application/json"})


def move(fake: FakeGraph, item_id: str, body: dict[str, object], **headers: str) -> requests.Response:
    return requests.patch(f"{fake.base_url}/drives/{DRIVE}/items/{item_id}", json=body, timeout=10,
                          params={"@microsoft.graph.conflictBehavior": "rename"}, headers={**AUTH, **headers})


def mail(subject: str = "S", attachment: bytes = b"") -> dict[str, object]:
    message: dict[str, object] = {"subject": subject, "body": {"contentType": "Text", "content": "B"},
                                  "toRecipients": [{"emailAddress": {"address": "qa.admin@example-trust.org.uk"}}]}
    if attachment:
        message["attachments"] = [{"@odata.type": "#microsoft.graph.fileAttachment", "name": "report.docx",
                                   "contentBytes": base64.b64encode(attachment).decode()}]
    return {"message": message}


def test_delta_honours_select_on_every_page_and_in_its_links(fake: FakeGraph) -> None:
    fake.add_file("QA Returns", "form.docx", b"PK form")
    everything = get(fake, f"drives/{DRIVE}/root/delta").json()["value"]
    assert all("lastModifiedDateTime" in i and "eTag" in i for i in everything)
    page = get(fake, f"drives/{DRIVE}/root/delta", params={"$select": "id,name,file"}).json()
    assert page["value"] and all(set(i) <= {"id", "name", "file"} for i in page["value"])
    later = requests.get(page["@odata.deltaLink"], headers=AUTH, timeout=10)
    assert "$select=id,name,file" in page["@odata.deltaLink"] and later.status_code == 200


def test_office_files_are_listed_with_another_size_than_their_content(fake: FakeGraph) -> None:
    form = fake.add_file("QA Returns", "form.docx", b"PK" * 500)
    scan = fake.add_file("QA Returns", "scan.png", b"\x89PNG" * 100)
    listed = {i["name"]: i["size"] for i in get(fake, f"drives/{DRIVE}/root/delta").json()["value"] if "file" in i}
    assert listed == {"form.docx": 1000 + OFFICE_SIZE_DRIFT, "scan.png": 400}
    assert len(form.content or b"") == 1000 and len(scan.content or b"") == 400


def test_content_is_a_302_to_another_host_that_serves_it_without_a_token(fake: FakeGraph) -> None:
    item = fake.add_file("QA Returns", "form.docx", b"PK the form")
    answer = get(fake, f"drives/{DRIVE}/items/{item.id}/content", allow_redirects=False)
    assert answer.status_code == 302
    there, here = urlsplit(answer.headers["Location"]), urlsplit(fake.base_url)
    assert there.hostname != here.hostname and there.port != here.port
    download = requests.get(answer.headers["Location"], timeout=10)  # no Authorization
    assert download.status_code == 200 and download.content == b"PK the form"
    assert download.headers["Content-Length"] == str(len(b"PK the form"))
    assert requests.get(f"{fake.root_url}{there.path}", timeout=10).status_code == 404  # not on Graph's host
    fake.chunked_downloads = True
    chunked = requests.get(answer.headers["Location"], timeout=10)
    assert chunked.content == b"PK the form" and "Content-Length" not in chunked.headers


def test_a_move_onto_a_taken_name_is_409_whatever_conflict_behaviour_says(fake: FakeGraph) -> None:
    processed = fake.add_folder("QA Returns/Processed")
    fake.add_file("QA Returns/Processed", "form.docx", b"earlier")
    item = fake.add_file("QA Returns", "form.docx", b"later")
    refused = move(fake, item.id, {"parentReference": {"id": processed.id}})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "nameAlreadyExists"
    renamed = move(fake, item.id, {"parentReference": {"id": processed.id}, "name": "form (2).docx"})
    assert renamed.status_code == 200 and fake.names_in("QA Returns/Processed") == ["form (2).docx", "form.docx"]


def test_a_move_with_a_stale_if_match_is_412(fake: FakeGraph) -> None:
    processed = fake.add_folder("QA Returns/Processed")
    item = fake.add_file("QA Returns", "form.docx", b"PK read")
    etag = get(fake, f"drives/{DRIVE}/items/{item.id}").json()["eTag"]
    fake.save(item, b"PK saved again")
    stale = move(fake, item.id, {"parentReference": {"id": processed.id}}, **{"if-match": etag})
    assert stale.status_code == 412 and fake.names_in("QA Returns") == ["Processed", "form.docx"]
    fresh = move(fake, item.id, {"parentReference": {"id": processed.id}}, **{"if-match": item.etag})
    assert fresh.status_code == 200


def test_a_request_over_4_mb_is_413(fake: FakeGraph) -> None:
    inline = json.dumps(mail(attachment=bytes(3 * 1024 * 1024))).encode()  # 3 MB raw is 4 MB in base64
    assert len(inline) > MAX_REQUEST
    refused = post(fake, f"users/{MAILBOX_UPN}/sendMail", inline)
    assert refused.status_code == 413 and fake.sent == []
    assert post(fake, f"users/{MAILBOX_UPN}/sendMail", b" " * MAX_REQUEST).status_code == 400  # at 4 MB: read
    assert post(fake, f"users/{MAILBOX_UPN}/sendMail", json.dumps(mail()).encode()).status_code == 202


def test_a_user_is_its_object_id_or_principal_name_and_nothing_else(fake: FakeGraph) -> None:
    body = json.dumps(mail()).encode()
    for user in (MAILBOX, "nobody@example-trust.org.uk"):
        unknown = post(fake, f"users/{user}/sendMail", body)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "ErrorInvalidUser"
    assert [post(fake, f"users/{u}/sendMail", body).status_code for u in (MAILBOX_UPN, MAILBOX_ID)] == [202, 202]


def test_a_mailbox_outside_the_access_policy_is_403_access_to_odata_is_disabled(fake: FakeGraph) -> None:
    fake.mailbox_outside_policy = True
    refused = post(fake, f"users/{MAILBOX_UPN}/sendMail", json.dumps(mail()).encode())
    assert refused.status_code == 403
    assert refused.json()["error"] == {"code": "ErrorAccessDenied", "message": "Access to OData is disabled."}

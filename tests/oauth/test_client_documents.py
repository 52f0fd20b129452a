"""Fetching a URL client_id's metadata document: only public https hosts, small documents, the exact
id, no redirects; answers are cached."""

from __future__ import annotations

import json

import httpx2
import pytest

from app.oauth.client_documents import ClientDocumentError, ClientDocuments
from tests.helpers import settings_for
from tests.oauth.flow import CLIENT_DOC_URL, PUBLIC_ADDRESS, Internet, client_document

pytestmark = pytest.mark.anyio


def documents_for(internet: Internet, **overrides: object) -> ClientDocuments:
    return ClientDocuments(
        settings_for("http://127.0.0.1:9", **overrides),
        transport=internet.transport(),
        resolve=internet.resolve,
    )


async def fetch(internet: Internet, client_id: str = CLIENT_DOC_URL, **overrides: object) -> str:
    documents = documents_for(internet, **overrides)
    async with documents.running():
        client = await documents.get(client_id)
    assert client.client_id == client_id
    return client.client_name or ""


async def refused(internet: Internet, client_id: str = CLIENT_DOC_URL, **overrides: object) -> str:
    documents = documents_for(internet, **overrides)
    async with documents.running():
        with pytest.raises(ClientDocumentError) as problem:
            await documents.get(client_id)
    return str(problem.value)


async def test_a_public_document_is_fetched_from_the_vetted_address_and_cached() -> None:
    internet = Internet()
    documents = documents_for(internet)
    async with documents.running():
        first = await documents.get(CLIENT_DOC_URL)
        again = await documents.get(CLIENT_DOC_URL)
    assert first is again and first.token_endpoint_auth_method == "none" and first.scope == "kling"
    assert len(internet.fetches) == 1
    request = internet.fetches[0]
    assert request.url.host == PUBLIC_ADDRESS and request.headers["host"] == "connector.example"
    assert request.extensions["sni_hostname"] == "connector.example"


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"]
)
async def test_hosts_resolving_to_private_addresses_are_never_fetched(address: str) -> None:
    internet = Internet(addresses={"connector.example": [PUBLIC_ADDRESS, address]})
    assert "private or reserved address" in await refused(internet)
    assert internet.fetches == []


@pytest.mark.parametrize(
    "client_id",
    [
        "http://connector.example/c.json",
        "https://user:pw@connector.example/c.json",
        "https://connector.example/",
        "https://connector.example/c.json#frag",
    ],
    ids=["plain-http", "credentials", "no-path", "fragment"],
)
async def test_urls_that_cannot_be_client_ids_are_refused(client_id: str) -> None:
    internet = Internet()
    await refused(internet, client_id)
    assert internet.fetches == []


async def test_oversized_documents_are_refused() -> None:
    internet = Internet()
    padded = client_document(client_name="x" * 6000)
    internet.documents["/oauth/client.json"] = json.dumps(padded).encode()
    assert "over 5120 bytes" in await refused(internet, oauth_client_document_max_bytes=5120)
    assert await fetch(internet) == "x" * 6000  # the default limit (64 KiB) has room for it


async def test_the_document_must_name_itself_and_list_redirects() -> None:
    internet = Internet()
    internet.documents["/oauth/client.json"] = json.dumps(
        client_document("https://other.example/c.json")
    ).encode()
    assert "not the URL it was fetched from" in await refused(internet)
    internet.documents["/oauth/client.json"] = json.dumps(client_document(redirect_uris=[])).encode()
    assert "redirect_uris" in await refused(internet)


async def test_redirects_are_not_followed() -> None:
    fetched: list[httpx2.Request] = []

    def moved(request: httpx2.Request) -> httpx2.Response:
        fetched.append(request)
        return httpx2.Response(302, headers={"location": "http://10.0.0.5/c.json"})

    internet = Internet()
    documents = ClientDocuments(
        settings_for("http://127.0.0.1:9"), transport=httpx2.MockTransport(moved), resolve=internet.resolve
    )
    async with documents.running():
        with pytest.raises(ClientDocumentError, match="HTTP 302"):
            await documents.get(CLIENT_DOC_URL)
    assert len(fetched) == 1


async def test_unknown_hosts_are_reported() -> None:
    assert "does not resolve" in await refused(Internet(), "https://nowhere.invalid/c.json")


async def test_fetches_are_limited_per_minute_for_all_callers_together() -> None:
    internet = Internet()
    internet.documents["/second.json"] = json.dumps(
        client_document("https://connector.example/second.json")
    ).encode()
    documents = documents_for(internet, oauth_client_document_fetches_per_minute=1)
    async with documents.running():
        await documents.get(CLIENT_DOC_URL)
        await documents.get(CLIENT_DOC_URL)  # cached: no fetch, so no budget spent
        with pytest.raises(ClientDocumentError, match="too many client documents"):
            await documents.get("https://connector.example/second.json")
    assert len(internet.fetches) == 1

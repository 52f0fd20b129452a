"""The OAuth door: an OAuth 2.1 authorization server in front of the same `/mcp`, for connector
platforms (claude.ai, ChatGPT) that cannot send a raw AceDataCloud token.

The user pastes their token once on the sign-in page; everything issued afterwards (client ids,
codes, access and refresh tokens) is a sealed envelope carrying it, so any replica answers any step.
The only shared record is which codes and refresh tokens were already used (`app/idempotency`).

    sealing        envelopes: authenticated encryption with rotating keys
    client_documents  fetching a URL client_id's metadata document, safely
    provider       the SDK's provider interface: clients, codes, tokens
    sign_in        the page where the user pastes their token
    routes         metadata documents and endpoints, as mounted by the app
"""

#!/usr/bin/env python3
"""Writes src/http/openapi.json. Edit this file, not the JSON; the JSON is
committed so the build needs no Python. tests/unit/openapi_test.cpp checks the
document lists exactly the routes the server has."""
import json
import pathlib

def problem(desc):
    return {"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}

def ok(desc, schema=None, status_type="application/json"):
    r = {"description": desc}
    if schema:
        r["content"] = {status_type: {"schema": schema}}
    return r

ref = lambda n: {"$ref": f"#/components/schemas/{n}"}
auth = [{"bearer": []}]
common_errors = {"401": problem("missing, expired or invalid token"), "503": problem("a dependency is unavailable")}
id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}

def q(name, desc, schema=None):
    return {"name": name, "in": "query", "required": False, "description": desc, "schema": schema or {"type": "string"}}

list_params = [
    q("q", "words in the name or description (prefix match, accents ignored)"),
    q("type", "an extension (pdf), a MIME type (application/pdf) or a prefix (image/*)"),
    q("owner", "'me' or a user id; non-admins only ever see their own files"),
    q("project", "exact project"),
    q("folder", "exact folder, e.g. reports/2026"),
    q("status", "review status", {"type": "string", "enum": ["pending", "approved", "rejected"]}),
    q("state", "lifecycle state", {"type": "string", "enum": ["pending", "ready", "processing", "missing", "quarantined"]}),
    q("tag", "files carrying this tag"),
    q("uploaded_after", "RFC 3339; inclusive", {"type": "string", "format": "date-time"}),
    q("uploaded_before", "RFC 3339; exclusive", {"type": "string", "format": "date-time"}),
    q("min_size", "bytes, inclusive", {"type": "integer", "minimum": 0}),
    q("max_size", "bytes, inclusive", {"type": "integer", "minimum": 0}),
    q("sort", "sort key (default created_at)", {"type": "string", "enum": ["created_at", "name", "size"]}),
    q("order", "default desc for created_at and size, asc for name", {"type": "string", "enum": ["asc", "desc"]}),
    q("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
    q("cursor", "next_cursor of the previous page (same sort and order)"),
]

file_headers = {
    "X-File-Name": "original file name, percent-encoded UTF-8 (raw uploads; required)",
    "X-File-Folder": "folder, percent-encoded",
    "X-File-Description": "description, percent-encoded",
    "X-File-Tags": "comma-separated tags, percent-encoded",
    "X-File-Project": "project, percent-encoded",
}

doc = {
    "openapi": "3.0.3",
    "info": {
        "title": "Arca",
        "version": "0.1.0",
        "description": "File service: uploads stream to the object store, records live in the database, "
                       "downloads are short-lived signed links. Every error is an RFC 9457 problem document "
                       "with a stable `code`.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        "schemas": {
            "Problem": {"type": "object", "required": ["status", "title", "code"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "code": {"type": "string", "description": "stable snake_case error code"}}},
            "File": {"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "description": "exactly as uploaded"},
                "folder": {"type": "string"}, "project": {"type": "string"},
                "owner": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}}},
                "size": {"type": "integer", "format": "int64"},
                "content_type": {"type": "string", "description": "sniffed from the bytes (libmagic) unless only generic"},
                "declared_content_type": {"type": "string", "description": "what the client declared"},
                "sha256": {"type": "string"}, "description": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
                "state": {"type": "string", "enum": ["pending", "ready", "processing", "deleting", "missing", "quarantined"]},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}}},
            "Accepted": {"type": "object", "properties": {"id": {"type": "string"}, "state": {"type": "string"}}},
            "FilePage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("File")},
                                                           "next_cursor": {"type": "string", "nullable": True}}},
        },
    },
    "paths": {
        "/api/auth/login": {"post": {
            "summary": "Exchange a username and password for a bearer token",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
            "responses": {"200": ok("a token", {"type": "object", "properties": {
                "access_token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer"}}}),
                "400": problem("malformed body"), "401": problem("wrong username or password (code invalid_credentials)"),
                "413": problem("body over 64 KiB (code body_too_large)"), "503": problem("a dependency is unavailable")}}},
        "/api/me": {"get": {"summary": "The caller", "security": auth, "responses": {
            "200": ok("the user", {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}, "admin": {"type": "boolean"}}}),
            **common_errors}}},
        "/api/files": {
            "post": {
                "summary": "Upload a file (streams to the object store)",
                "description": "Either multipart/form-data with fields folder, description, tags, project "
                               "(all before the `file` part) and one `file` part; or the raw bytes as the body "
                               "with X-File-* headers. Async mode answers 202 once the object is stored and the "
                               "event queued; sync mode answers 201 with the record.",
                "security": auth,
                "parameters": [{"name": k, "in": "header", "required": False, "description": v, "schema": {"type": "string"}}
                               for k, v in file_headers.items()],
                "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                        "folder": {"type": "string"}, "description": {"type": "string"},
                        "tags": {"type": "string"}, "project": {"type": "string"},
                        "file": {"type": "string", "format": "binary"}}}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"201": ok("stored and recorded (sync mode)", ref("File")),
                              "202": ok("stored; the record is being written (async mode)", ref("Accepted")),
                              "400": problem("bad name, folder, tags or form"),
                              "413": problem("over ARCA_MAX_UPLOAD (code upload_too_large); nothing is kept"),
                              **common_errors}},
            "get": {"summary": "List and search files (keyset pagination)", "security": auth,
                    "parameters": list_params,
                    "responses": {"200": ok("a page", ref("FilePage")), "400": problem("a bad parameter, named in detail"),
                                  **common_errors}}},
        "/api/files/{id}": {
            "parameters": [id_param],
            "get": {"summary": "One file's record", "security": auth,
                    "responses": {"200": ok("the record", ref("File")), "404": problem("absent or not yours (code file_not_found)"), **common_errors}},
            "patch": {"summary": "Rename, move, describe, tag or review a file", "security": auth,
                      "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
                          "name": {"type": "string"}, "folder": {"type": "string"}, "description": {"type": "string"},
                          "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
                          "tags": {"type": "array", "items": {"type": "string"}}}}}}},
                      "responses": {"200": ok("the new record", ref("File")), "400": problem("invalid field"),
                                    "404": problem("absent or not yours"),
                                    "413": problem("body over 64 KiB (code body_too_large)"), **common_errors}},
            "delete": {"summary": "Delete a file (it leaves listings at once)", "security": auth,
                       "responses": {"202": ok("queued for deletion", ref("Accepted")), "404": problem("absent or not yours"), **common_errors}}},
        "/api/files/{id}/download": {
            "parameters": [id_param, q("redirect", "true: answer 302 to the link", {"type": "boolean"})],
            "get": {"summary": "A short-lived download link", "security": auth,
                    "responses": {"200": ok("the link", {"type": "object", "properties": {
                        "url": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}),
                        "302": {"description": "redirect to the link (redirect=true)"},
                        "404": problem("absent or not yours"), "409": problem("file missing or quarantined"), **common_errors}}},
        "/blob/{key}": {
            "parameters": [{"name": "key", "in": "path", "required": True, "description": "object key (may contain '/')", "schema": {"type": "string"}},
                           q("exp", "expiry, Unix seconds"), q("name", "download name"), q("type", "content type"), q("sig", "signature")],
            "get": {"summary": "Embedded store only: the bytes behind a signed link (supports Range)",
                    "responses": {"200": {"description": "the file, Content-Disposition: attachment"},
                                  "206": {"description": "the requested range"},
                                  "403": problem("invalid_link or link_expired"),
                                  "404": problem("the object is gone"), "416": problem("range not satisfiable")}}},
        "/healthz": {"get": {"summary": "Liveness", "responses": {"200": ok("the process runs")}}},
        "/readyz": {"get": {"summary": "Readiness of database, storage and broker",
                            "responses": {"200": ok("all answer"), "503": problem("names the ones that do not (code not_ready)")}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": ok("text exposition", {"type": "string"}, "text/plain")}}},
        "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok("OpenAPI 3 document")}}},
    },
}

out = pathlib.Path(__file__).resolve().parent.parent / "src" / "http" / "openapi.json"
out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out}")

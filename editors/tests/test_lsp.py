"""`regula lsp` through pytest-lsp (a real LSP client, pygls), on the shipped
policies: every feature the server offers. Run by `.ci/run` in a virtual
environment; by hand:

    python3 -m venv target/lsp-venv
    target/lsp-venv/bin/pip install -r editors/tests/requirements.txt
    REGULA=target/release/regula target/lsp-venv/bin/pytest editors/tests

The shipped files are never written: edits are unsaved text.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies" / "hurenshegui-2023-32"
REGULA = os.environ.get("REGULA", str(ROOT / "target" / "release" / "regula"))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[REGULA, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=(ROOT / "policies").as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


def uri(name: str) -> str:
    return (POLICIES / name).as_uri()


def text(name: str) -> str:
    return (POLICIES / name).read_text(encoding="utf-8")


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def position(source: str, needle: str, ahead: int = 0) -> types.Position:
    """The LSP position (UTF-16 columns) of `needle` in `source`, plus `ahead`."""
    offset = source.index(needle)
    before = source[:offset]
    line = before.count("\n")
    column = utf16(before.rsplit("\n", 1)[-1])
    return types.Position(line=line, character=column + ahead)


async def hover(client: LanguageClient, file_uri: str, source: str, needle: str, ahead: int = 0) -> str:
    """The hover text at `needle` (plus `ahead` columns) of an open file."""
    h = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=file_uri),
            position=position(source, needle, ahead),
        )
    )
    return h.contents.value


async def open_and_wait(client: LanguageClient, name: str, source: str, version: int = 1):
    if version == 1:
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri(name), language_id="regula", version=version, text=source
                )
            )
        )
    else:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(name), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=source)],
            )
        )
    # One notification per file of the set; wait until this file's arrives.
    for _ in range(20):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if uri(name) in client.diagnostics:
            break
    await asyncio.sleep(0.05)
    return list(client.diagnostics.get(uri(name), []))


@pytest.mark.asyncio(loop_scope="function")
async def test_diagnostics_as_you_type_and_the_did_you_mean_fix(client: LanguageClient):
    name = "04-work-injury.policy"
    source = text(name)
    assert await open_and_wait(client, name, source) == []
    typo = source.replace("exception to applicant_agency_or_branch", "exception to applicant_agency_or_brnch")
    client.diagnostics.clear()
    diags = await open_and_wait(client, name, typo, version=2)
    assert [d.code for d in diags] == ["regula::unknown-rule"]
    assert diags[0].range.start == position(typo, "applicant_agency_or_brnch")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(name)),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=list(diags)),
        )
    )
    edit = actions[0].edit.changes[uri(name)][0]
    assert edit.new_text == "applicant_agency_or_branch"


@pytest.mark.asyncio(loop_scope="function")
async def test_hover_on_names_keywords_paragraphs_and_quotes(client: LanguageClient):
    name = "04-work-injury.policy"
    source = text(name)
    await open_and_wait(client, name, source)

    async def at(needle, ahead):
        return await hover(client, uri(name), source, needle, ahead)

    assert (await at("when injury.occurred", 7)).startswith("fact `injury.occurred` : bool — 派遣员工在本市用工单位发生事故伤害")
    assert await at("when injury.occurred", 0) == "**when** · **当** — a rule's condition"
    assert (await at("cites 4.2", 6)).startswith("**4.2** 外省市劳务派遣单位未在本市设立分支机构的")
    assert (await at('cites 4.2 "', 12)).startswith("the quote is in paragraph 4.2")


@pytest.mark.asyncio(loop_scope="function")
async def test_definition_references_and_rename_across_files(client: LanguageClient):
    name = "04-work-injury.policy"
    source = text(name)
    await open_and_wait(client, name, source)
    here = types.TextDocumentIdentifier(uri=uri(name))
    # A rule named in `exception to`.
    defs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=here, position=position(source, "exception to applicant_agency_or_branch", 15))
    )
    assert defs[0].range.start == position(source, "applicant_agency_or_branch")
    # A fact of the document header's file.
    at = position(source, "not agency.registered_in_shanghai", 6)
    defs = await client.text_document_definition_async(types.DefinitionParams(text_document=here, position=at))
    assert defs[0].uri == uri("00-document.policy")
    refs = await client.text_document_references_async(
        types.ReferenceParams(text_document=here, position=at, context=types.ReferenceContext(include_declaration=True))
    )
    assert len({r.uri for r in refs}) >= 3
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=here, position=at, new_name="agency.in_shanghai")
    )
    assert sum(len(v) for v in edit.changes.values()) == len(refs)


@pytest.mark.asyncio(loop_scope="function")
async def test_completion_symbols_and_formatting(client: LanguageClient):
    name = "06-wage-arrears.policy"
    source = text(name)
    await open_and_wait(client, name, source)
    here = types.TextDocumentIdentifier(uri=uri(name))
    items = await client.text_document_completion_async(
        types.CompletionParams(text_document=here, position=position(source, "rule"))
    )
    labels = {i.label for i in items}
    assert {"rule", "when", "agency.registered_in_shanghai", "max_advances_per_matter"} <= labels
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=here))
    # The outline: declarations, and the rules under their provision's heading.
    assert "max_advances_per_matter" in {s.name for s in symbols}
    provision = next(s for s in symbols if s.name == "六、关于欠薪保障金垫付的问题")
    assert "advance_from_fund" in {c.name for c in provision.children}
    # Inside the quote of `cites 6.1 "`: the paragraph's sentences.
    edited = source.replace('cites 6.1 "', 'cites 6.1 "\n  cites 6.1 "', 1)
    await open_and_wait(client, name, edited, version=2)
    line = edited.split("\n").index('  cites 6.1 "')
    items = await client.text_document_completion_async(
        types.CompletionParams(text_document=here, position=types.Position(line=line, character=13))
    )
    assert len(items) > 1 and all("。" not in i.label for i in items)
    # Formatting puts a re-spaced file back.
    await open_and_wait(client, name, source.replace("\n  when", "\n        when"), version=3)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=here, options=types.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert edits[0].new_text == source


@pytest.mark.asyncio(loop_scope="function")
async def test_a_chinese_keyword_file_in_utf16(client: LanguageClient):
    name = "03-auxiliary-positions.policy"
    source = text(name)
    assert "规则 auxiliary_order_to_rectify" in source
    assert await open_and_wait(client, name, source) == []
    assert (await hover(client, uri(name), source, "auxiliary.violation 且", 2)).startswith(
        "outcome `auxiliary.violation` : bool"
    )
    broken = source.replace("  则 auxiliary.order_required", "  auxiliary.order_required", 1)
    client.diagnostics.clear()
    diags = await open_and_wait(client, name, broken, version=2)
    assert diags[0].code == "regula::syntax" and "`则`" in diags[0].message


NATIONAL = ROOT / "policies" / "paiqian-zanxing-guiding-2014"


@pytest.mark.asyncio(loop_scope="function")
async def test_the_national_document_items_outline_and_astral_characters(client: LanguageClient):
    file = NATIONAL / "12-return.policy"
    here = types.TextDocumentIdentifier(uri=file.as_uri())
    source = file.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=file.as_uri(), language_id="regula", version=1, text=source)
        )
    )

    # An item (项) of the national text, and a reason that is not a quote.
    assert await hover(client, file.as_uri(), source, "not encoded 12.1.3", 14) == "**12.1.3** （三）劳务派遣协议期满终止的。"
    assert (await hover(client, file.as_uri(), source, 'not encoded 12.1.3 "', 22)).startswith("the reason for setting aside paragraph 12.1.3")
    # Where a fact is named, place by place.
    assert "- `12-return.policy` line 32, rule `no_return_in_protected_situation`" in await hover(
        client, file.as_uri(), source, "fact return.ground", 7
    )
    # The outline groups rules and set-aside units under their article.
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=here))
    article = next(s for s in symbols if s.name.endswith("第十二条"))
    assert [c.name for c in article.children][:2] == ["return_on_listed_ground", "not encoded 12.1.1"]
    # Characters outside the BMP count two UTF-16 units: a name after them
    # on the same line is still found.
    probe = source + 'enum Probe "𠀀𠀁" { first "𠀂" second "二" }\n'
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=file.as_uri(), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=probe)],
        )
    )
    await asyncio.sleep(0.2)
    assert (await hover(client, file.as_uri(), probe, 'second "二"', 2)).startswith("enum value `second` of `Probe` — 二")

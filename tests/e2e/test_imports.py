"""Spreadsheet import in the chat: preview, mapping, duplicates, import, rejected rows, bad files,
/imports and undo. Files are generated here; the real bot runs against the emulator."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlmodel import select

from crm.importing import ImportProblem, IssueCode, service
from crm.importing.samples import inn10, write_1c_workbook
from handlers import imports
from storage.models import ImportBatch
from tests.e2e.directory_helpers import alert, contacts, organizations

CSV_HEADER = "Организация;Контактное лицо;Телефон;E-mail;Город;Комментарий"
CSV_ROWS = [
    "ООО «Ромашка»;Иван Петров;8 912 345-67-89;ivan@romashka.ru;Москва;",
    "АО «Вектор»;Анна Смирнова;+7 903 111-22-33;;Казань;",
    ";;;;;только комментарий",  # no name, phone or e-mail: rejected
    "ИП Лютик;Олег Орлов;12;;Тверь;",  # a phone that is no phone: a warning
]


def csv_bytes(rows: list[str] = CSV_ROWS, header: str = CSV_HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp1251")


async def upload(user, data, filename: str):
    """Send a file; return the preview (or the refusal) that replaces "Reading…"."""
    await user.upload(data, filename=filename)
    reading = await user.next_message()
    assert "Reading" in reading.text, reading.text
    return await user.next_edit(timeout=30)


async def import_it(user, preview, button: str = "Import"):
    await user.tap(preview, button)
    assert "Importing" in (await user.next_edit()).text
    return await user.next_edit(timeout=60)


async def batches(bot) -> list[ImportBatch]:
    async with bot.database.transaction() as session:
        return list((await session.exec(select(ImportBatch).order_by(ImportBatch.id))).all())


async def test_preview_then_import_and_the_records_are_found(bot, tmp_path):
    admin = await bot.onboard(bot.user(1, "Olga"))
    path = tmp_path / "Контрагенты.xlsx"
    stats = write_1c_workbook(path, 20)
    preview = await upload(admin, path, "Контрагенты.xlsx")
    text = preview.text
    assert "Наименование → Organization" in text
    assert "ИНН → Tax id" in text and "Телефон → Phone" in text
    assert "КПП → not imported" in text
    assert f"New organizations: {stats.organizations}" in text
    assert f"New contacts: {stats.contacts}" in text
    assert "Already in the CRM: organizations 0, contacts 0" in text
    assert f"Repeated rows in the file: {stats.duplicate_rows}" in text
    assert "Rows with problems (not imported): 0" in text
    assert text.count("Row ") >= 3  # three example rows
    assert "already imported" not in text
    assert not await batches(bot)  # nothing is written before Import
    assert ["✅ Import"] in preview.buttons and ["Cancel"] in preview.buttons

    result = await import_it(admin, preview, "✅ Import")
    assert f"Organizations created: {stats.organizations}" in result.text, result.text
    assert f"Contacts created: {stats.contacts}" in result.text
    assert len(await organizations(bot)) == stats.organizations
    assert len(await contacts(bot)) == stats.contacts
    await admin.expect_no_message(within=0.3)  # nothing rejected: no file

    await admin.send(f"/find {inn10(1)}")
    card = await admin.next_message()
    assert card.text.startswith("🏢 ") and inn10(1) in card.text

    # the same file again: the preview says so, and everything is already in the CRM
    preview = await upload(admin, path, "Контрагенты.xlsx")
    assert "already imported" in preview.text
    assert "New organizations: 0" in preview.text


async def test_rejected_rows_come_back_as_a_file_with_the_reason(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    assert "Организация → Organization" in preview.text
    assert "Rows with problems (not imported): 1" in preview.text
    assert "Rows with warnings (imported): 1" in preview.text
    result = await import_it(admin, preview, "✅ Import")
    assert "Organizations created: 3" in result.text
    assert "Rows not imported: 1." in result.text
    document = (await admin.next_message()).document
    assert document is not None and document.filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(document.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Row" and rows[0][-1] == "Why"
    assert rows[1][0] == 4 and "только комментарий" in rows[1]
    assert "No organization name" in rows[1][-1]


async def test_import_only_valid_rows_leaves_out_the_warned_ones_too(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    result = await import_it(admin, preview, "Import only valid rows")
    assert "Organizations created: 2" in result.text
    assert "Rows not imported: 2." in result.text
    sheet = openpyxl.load_workbook(io.BytesIO((await admin.next_message()).document.data)).active
    why = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(why) == {4, 5}
    assert "Телефон" in why[5] and "phone" in why[5]
    assert sorted(o.name for o in await organizations(bot)) == ["АО «Вектор»", "ООО «Ромашка»"]


async def test_change_a_columns_mapping(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    assert "Город → not imported" in preview.text
    await admin.tap(preview, "Change a column's mapping")
    columns = await admin.next_edit()
    assert "Which column" in columns.text
    await admin.tap(columns, "E. Город")
    fields = await admin.next_edit()
    assert "Город" in fields.text
    await admin.tap(fields, "Address")
    assert "new mapping" in (await admin.next_edit()).text
    preview = await admin.next_edit(timeout=30)
    assert "Город → Address" in preview.text
    # and back: the column is not imported
    await admin.tap(preview, "Change a column's mapping")
    await admin.tap(await admin.next_edit(), "E. Город")
    await admin.tap(await admin.next_edit(), "Don't import")
    await admin.next_edit()
    preview = await admin.next_edit(timeout=30)
    assert "Город → not imported" in preview.text

    await admin.tap(preview, "Change a column's mapping")
    await admin.tap(await admin.next_edit(), "E. Город")
    await admin.tap(await admin.next_edit(), "Address")
    await admin.next_edit()
    result = await import_it(admin, await admin.next_edit(timeout=30), "✅ Import")
    assert "Organizations created: 3" in result.text
    addresses = {o.name: o.address for o in await organizations(bot)}
    assert addresses["ООО «Ромашка»"] == "Москва"


async def test_duplicates_policy_toggle_and_cancel(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    assert "already exist: skipped" in preview.text
    assert ["• Duplicates: skip"] in preview.buttons
    await admin.tap(preview, "Duplicates: fill empty fields")
    preview = await admin.next_edit()
    assert "their empty fields are filled" in preview.text
    assert ["• Duplicates: fill empty fields"] in preview.buttons
    await admin.tap(preview, "Duplicates: create anyway")
    preview = await admin.next_edit()
    assert "created again" in preview.text
    await admin.tap(preview, "Cancel")
    assert "Nothing was written" in (await admin.next_edit()).text
    # the preview's buttons are stale now
    query = await admin.tap_data(preview.message_id, preview.callback_data[0][0])
    assert "finished or was cancelled" in await alert(admin, query)
    assert not await batches(bot) and not await organizations(bot)


async def test_matched_records_are_filled_with_merge(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    first = csv_bytes(rows=[CSV_ROWS[0]], header=CSV_HEADER)
    await import_it(admin, await upload(admin, first, "a.csv"), "✅ Import")
    again = csv_bytes(rows=["ООО «Ромашка»;;;;Москва;"], header=CSV_HEADER)
    preview = await upload(admin, again, "b.csv")
    assert "Already in the CRM: organizations 1," in preview.text
    await admin.tap(preview, "Change a column's mapping")
    await admin.tap(await admin.next_edit(), "E. Город")
    await admin.tap(await admin.next_edit(), "Address")
    await admin.next_edit()
    preview = await admin.next_edit(timeout=30)
    await admin.tap(preview, "Duplicates: fill empty fields")
    result = await import_it(admin, await admin.next_edit(), "✅ Import")
    assert "Updated: 1" in result.text, result.text
    [org] = await organizations(bot)
    assert org.address == "Москва"


async def test_a_double_tap_on_import_imports_once(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    first = await admin.tap(preview, "✅ Import")
    second = await admin.tap_data(preview.message_id, preview.callback_data[0][0])
    assert not (await admin.callback_answer(first)).get("show_alert")
    refusal = await alert(admin, second)
    assert "already running" in refusal or "finished" in refusal
    assert "Importing" in (await admin.next_edit()).text
    assert "finished" in (await admin.next_edit(timeout=60)).text
    await admin.next_message()  # the rejected rows
    assert len(await batches(bot)) == 1
    assert len(await organizations(bot)) == 3


async def test_undo_from_imports(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await import_it(admin, await upload(admin, csv_bytes(), "clients.csv"), "✅ Import")
    await admin.next_message()  # the rejected rows
    await admin.send("/imports")
    listing = await admin.next_message()
    assert "clients.csv" in listing.text and "done" in listing.text
    assert "organizations created: 3" in listing.text
    [[undo_button]] = listing.buttons
    assert "Undo" in undo_button
    undo_data = listing.callback_data[0][0]
    await admin.tap(listing, "Undo")
    question = await admin.next_edit()
    assert "Undo the import of clients.csv" in question.text
    await admin.tap(question, "Yes, undo it")
    done = await admin.next_edit()
    assert "Import undone. Deleted organizations: 3, contacts: 3." in done.text, done.text
    assert "undone" in done.text
    assert not await organizations(bot) and not await contacts(bot)
    # a stale or double tap
    confirm = undo_data.replace("undo:", "undo!:")
    assert "already undone" in await alert(admin, await admin.tap_data(done.message_id, confirm))
    assert "already undone" in await alert(admin, await admin.tap_data(done.message_id, undo_data))


async def test_undo_is_refused_while_imported_cards_were_changed_since(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await import_it(admin, await upload(admin, csv_bytes(), "clients.csv"), "✅ Import")
    await admin.next_message()  # the rejected rows
    bot.clock.advance(minutes=5)
    await admin.send("/find Ромашка")
    card = await admin.next_message()
    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "Address")
    await admin.next_edit()
    await admin.send("Тверская, 1")
    await admin.next_message()
    await admin.send("/imports")
    listing = await admin.next_message()
    await admin.tap(listing, "Undo")
    await admin.tap(await admin.next_edit(), "Yes, undo it")
    refused = await admin.next_edit()
    assert "cannot undo this import" in refused.text
    assert "Ромашка" in refused.text and "changed after the import" in refused.text
    assert len(await organizations(bot)) == 3


def ole2(marker: str) -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + marker.encode("utf-16-le")
        + b"\x00" * 1024
    )


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (ole2("Workbook"), "clients.xls", "Save As"),
        (ole2("EncryptedPackage"), "clients.xlsx", "password"),
        (bytes(range(256)) * 64, "photo.xlsx", "does not look like a spreadsheet"),
        (b"", "empty.csv", "The file is empty"),
        (b"1;2;3\r\n4;5;6\r\n7;8;9\r\n", "numbers.csv", "could not find the column names"),
        (b"PK\x03\x04broken zip", "broken.xlsx", ""),
    ],
    ids=["old-xls", "encrypted", "random", "empty", "no-header", "damaged"],
)
async def test_bad_files_get_a_clear_message_and_nothing_is_written(bot, data, filename, expected):
    admin = await bot.onboard(bot.user(1, "Olga"))
    refusal = await upload(admin, data, filename)
    assert expected in refusal.text, refusal.text
    assert refusal.buttons == []
    assert "Sorry, something went wrong" not in refusal.text
    assert not await batches(bot) and not await organizations(bot)
    await admin.send("/imports")
    assert "No imports yet" in (await admin.next_message()).text


async def test_old_xls_says_to_save_as_xlsx(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    refusal = await upload(admin, ole2("Workbook"), "clients.xls")
    assert ".xlsx" in refusal.text and "Save As" in refusal.text


async def test_a_file_over_20_mb_is_not_downloaded(bot, emulator):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.upload(b"\x00" * (20 * 1024 * 1024 + 1), filename="huge.xlsx")
    answer = await admin.next_message()
    assert "larger than 20 MB" in answer.text
    assert "python -m bot import FILE --workspace 1" in answer.text
    assert not emulator.calls_to("getFile")


async def test_a_vcard_still_starts_a_new_contact(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Petr Lilov\r\nTEL:+79123456789\r\nEND:VCARD\r\n"
    await admin.upload(vcf, filename="petr.vcf", mime_type="text/vcard")
    answer = await admin.next_message()
    assert "Reading" not in answer.text
    assert not await batches(bot)


async def test_a_sales_rep_sees_only_their_imports(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Ivan"))
    await import_it(admin, await upload(admin, csv_bytes(), "admins.csv"), "✅ Import")
    await admin.next_message()
    await rep.send("/imports")
    assert "No imports yet" in (await rep.next_message()).text


async def test_progress_is_shown_in_the_same_message(bot, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 0.05)
    real = service.run_import

    def shown() -> bool:
        return any(
            call.method == "editMessageText"
            and call.status == 200
            and "Imported 5,000 of 100,000" in str(call.params.get("text"))
            for call in bot.emulator.calls
        )

    async def slow(database, **kwargs):
        await kwargs["progress"](5000, 100000)
        # the real import (and its own numbers) only once the ticker has shown these: a fixed
        # pause could end before a tick on a loaded machine
        await bot.emulator.wait_until(shown, what="the progress edit")
        return await real(database, **kwargs)

    monkeypatch.setattr(service, "run_import", slow)
    admin = await bot.onboard(bot.user(1, "Olga"))
    preview = await upload(admin, csv_bytes(), "clients.csv")
    await admin.tap(preview, "✅ Import")
    importing = await admin.next_edit()
    progress = await admin.next_edit()
    assert progress.text == "Imported 5,000 of 100,000 rows…"
    result = await admin.next_edit(timeout=30)
    while result.text.startswith("Imported "):  # the service's own reports, if shown in time
        result = await admin.next_edit(timeout=30)
    assert "finished" in result.text
    assert preview.message_id == importing.message_id == progress.message_id == result.message_id


async def test_a_restarted_bot_continues_the_preview(start_bot):
    async with start_bot() as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        preview = await upload(admin, csv_bytes(), "clients.csv")
        await admin.tap(preview, "Duplicates: fill empty fields")
        preview = await admin.next_edit()
    async with start_bot() as bot:
        result = await import_it(admin, preview, "✅ Import")
        assert "Organizations created: 3" in result.text
        [batch] = await batches(bot)
        assert batch.file_name == "clients.csv"


def test_every_file_problem_and_row_issue_has_a_sentence():
    assert set(imports.PROBLEMS) == set(ImportProblem)
    assert set(imports.ISSUES) == set(IssueCode)


async def test_a_manager_sees_every_import_but_undoes_only_their_own(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    manager = await bot.join(admin, bot.user(2, "Ivan"), "Invite a manager")
    await import_it(admin, await upload(admin, csv_bytes(), "admins.csv"), "✅ Import")
    await admin.next_message()
    await manager.send("/imports")
    listing = await manager.next_message()
    assert "admins.csv" in listing.text and listing.buttons == []
    [batch] = await batches(bot)
    query = await manager.tap_data(listing.message_id, f"imp:undo!:{batch.id}")
    assert "Only the member who ran this import" in await alert(manager, query)
    assert len(await organizations(bot)) == 3


async def test_a_big_file_whose_size_telegram_did_not_give_is_refused_the_same_way(bot, emulator):
    admin = await bot.onboard(bot.user(1, "Olga"))
    stored = emulator.files.add(b"\x00" * (20 * 1024 * 1024 + 1), "huge.csv", None)
    document = stored.as_document()
    del document["file_size"]
    await admin._post({"document": document})  # FakeUser.upload always tells the size
    assert "Reading" in (await admin.next_message()).text
    answer = await admin.next_edit()
    assert "larger than 20 MB" in answer.text and "python -m bot import" in answer.text


async def test_import_only_valid_rows_is_offered_only_when_some_rows_have_warnings(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    clean = csv_bytes(rows=CSV_ROWS[:2])
    preview = await upload(admin, clean, "clean.csv")
    assert "Rows with warnings (imported): 0" in preview.text
    assert ["Import only valid rows"] not in preview.buttons

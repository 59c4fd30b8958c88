import { test, expect, type Page } from "@playwright/test";
import * as http from "node:http";
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { ADMIN_KEY, createTrip, hydrated, lookAndScan, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

const STAFF_USER = "admin";
const STAFF_PASSWORD = process.env.ADMIN_PASSWORD ?? "e2e-password-123";

/** Searches the holds list and waits for the page of that search (a form
 * GET: until it arrives the old page, with its rows, is still on screen). */
async function searchHolds(admin: Page, text: string) {
  await admin.getByLabel("Cari nama, nomor WA, kode klaim atau jumlah transfer").fill(text);
  await admin.getByRole("button", { name: "Cari" }).click();
  await admin.waitForURL((url) => url.searchParams.get("q") === text);
  await hydrated(admin);
}

async function signIn(page: Page) {
  await page.goto("/admin/login");
  await hydrated(page);
  await page.getByLabel("Nama pengguna").fill(STAFF_USER);
  await page.getByLabel("Kata sandi").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await hydrated(page);
}

test("signed-out visitors are sent to sign-in from every admin page, and admin server functions refuse them", async ({ page, request }) => {
  for (const path of ["/admin", "/admin/", "/admin/trips", "/admin/trips/1", "/admin/holds/AAAA-AAAA", "/admin/statement", "/admin/payment", "/admin/webhooks", "/admin/schedules", "/admin/reports"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(303);
    expect(res.headers()["location"], path).toBe("/admin/login");
  }
  await page.goto("/admin/trips");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByRole("heading", { name: "Masuk sebagai admin" })).toBeVisible();
  const sf = await request.post("/sf/admin_trips", { headers: { "content-type": "application/x-www-form-urlencoded" } });
  expect(sf.status()).toBe(401);
  for (const [fn, body] of [["admin_payment_accounts", ""], ["admin_add_payment_account", "bank=BCA&number=12345678&holder=X"], ["admin_retire_payment_account", "id=1"], ["admin_webhooks", ""], ["admin_add_webhook", "url=https%3A%2F%2Fx.example%2F"], ["admin_retire_webhook", "id=1"], ["admin_resend_webhook", "id=1"], ["admin_schedules", ""], ["admin_stop_schedule", "id=1"], ["admin_schedule_date", "id=1&date=2027-01-01&what=skip&price="], ["admin_save_schedule", "id=1&route_from=A&route_to=B&depart_time=19%3A00&bus_type=ECONOMY&price=1&admin_wa=0812&valid_from=2027-01-01&valid_until="], ["admin_report", ""]]) {
    const res = await request.post(`/sf/${fn}`, { headers: { "content-type": "application/x-www-form-urlencoded" }, data: body });
    expect(res.status(), fn).toBe(401);
  }

  // A wrong password is refused in plain words.
  await hydrated(page);
  await page.getByLabel("Nama pengguna").fill(STAFF_USER);
  await page.getByLabel("Kata sandi").fill("not-the-password");
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("salah");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await lookAndScan(page, "admin-login");
});

test("the admin finds a hold by claim code, confirms payment, and the passenger sees it booked", async ({ browser, request }) => {
  const trip = await createTrip(request, "EXECUTIVE");
  // The passenger holds two seats and leaves contact details.
  const passenger = await (await browser.newContext()).newPage();
  await passenger.goto(`/trips/${trip.id}`);
  await hydrated(passenger);
  await seat(passenger, "2A").click();
  await expect(seat(passenger, "2A")).toHaveAttribute("data-status", "MINE");
  await seat(passenger, "2B").click();
  await expect(seat(passenger, "2B")).toHaveAttribute("data-status", "MINE");
  await passenger.getByLabel("Nama", { exact: true }).fill("Dewi Lestari");
  await passenger.getByLabel("Nomor WhatsApp").fill("0813 5555 6666");
  await passenger.locator("#seat-name-2B").fill("Rudi Hartono");
  await passenger.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  const claim = (await passenger.getByTestId("claim-code").textContent())!.trim();
  const amount = (await passenger.getByTestId("amount-due").textContent())!.trim();

  // The passenger sends the transfer receipt: a banking app's screenshot,
  // drawn here.
  const png = await passenger.evaluate((amount) => {
    const c = document.createElement("canvas");
    c.width = 360;
    c.height = 480;
    const g = c.getContext("2d")!;
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, 360, 480);
    g.fillStyle = "#0f766e";
    g.font = "bold 28px sans-serif";
    g.fillText("Transfer Berhasil", 30, 80);
    g.fillStyle = "#0f172a";
    g.font = "24px sans-serif";
    g.fillText(amount, 30, 140);
    g.fillText("ke BCA 1234567890", 30, 180);
    return c.toDataURL("image/png").split(",")[1];
  }, amount);
  await passenger.getByTestId("receipt-file").setInputFiles({ name: "bukti.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
  await passenger.getByTestId("send-receipt").click();
  await expect(passenger.getByTestId("receipt-status")).toContainText("Bukti transfer terkirim");
  // A page renamed to .jpg is refused in plain words, and nothing is added.
  await passenger.getByTestId("receipt-file").setInputFiles({ name: "bukti.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<html><script>alert(1)</script></html>") });
  await passenger.getByTestId("send-receipt").click();
  await expect(passenger.locator("#receipt-error")).toContainText("JPEG, PNG atau WebP");
  await expect(passenger.getByTestId("receipt-status")).toHaveText("1 bukti transfer sudah terkirim.");

  // The admin signs in on another device and searches the claim code as
  // the passenger typed it in the chat.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await searchHolds(admin, claim.toLowerCase());
  const row = admin.getByTestId("admin-hold");
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-claim", claim);
  await expect(row).toContainText("Dewi Lestari");
  // Somebody else travels too: the card says who sits where.
  await expect(row.getByTestId("passengers")).toHaveText("2A Dewi Lestari2B Rudi Hartono");
  await expect(row).toContainText("+6281355556666");
  await expect(row.getByTestId("time-left")).toHaveText(/^\d+:\d\d$/);
  await expect(row.getByTestId("admin-amount")).toHaveText(amount);
  // The receipt beside the hold: it loads for the admin (full size one
  // click away), and nobody else can fetch it.
  await expect(row.getByTestId("receipt")).toHaveCount(1);
  const receipt = row.getByRole("img", { name: "Bukti transfer 1 dari Dewi Lestari" });
  await expect(receipt).toBeVisible();
  await expect.poll(() => receipt.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(360);
  const src = (await receipt.getAttribute("src"))!;
  expect(src).toMatch(/^\/api\/admin\/receipts\/\d+\/$/);
  expect((await passenger.request.get(src)).status()).toBe(401);
  expect((await admin.request.get(src)).headers()["content-type"]).toBe("image/png");
  await lookAndScan(admin, "admin-holds");

  // The transfer in the bank statement finds the same hold by its amount.
  await searchHolds(admin, amount.replace(/\D/g, ""));
  await expect(admin.getByTestId("admin-hold")).toHaveCount(1);
  await expect(admin.getByTestId("admin-hold")).toHaveAttribute("data-claim", claim);

  await row.getByTestId("confirm").click();
  const confirmation = admin.getByTestId("confirmation");
  await expect(confirmation).toBeVisible();
  const bookingCode = (await confirmation.getByTestId("booking-code").textContent())!.trim();
  expect(bookingCode).toMatch(/^BK-[0-9A-Z]{6}$/);
  const wa = await confirmation.getByRole("link", { name: "Kirim tiket lewat WhatsApp" }).getAttribute("href");
  expect(wa).toContain("https://wa.me/6281355556666?text=");
  const message = decodeURIComponent(wa!.split("?text=")[1]);
  expect(message).toContain(bookingCode);
  expect(message).toContain(`/ticket/${bookingCode}`);

  // Confirming twice is harmless: the same booking code.
  const again = await request.post("/api/admin/generate-booking-code/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: { claim_code: claim },
  });
  expect((await again.json()).booking_code).toBe(bookingCode);

  // The passenger's map shows the seats booked, live.
  await expect(seat(passenger, "2A")).toHaveAttribute("data-status", "BOOKED", { timeout: 2000 });
  await expect(seat(passenger, "2B")).toHaveAttribute("data-status", "BOOKED", { timeout: 2000 });

  // The ticket page shows the booking.
  const ticket = await (await browser.newContext()).newPage();
  await ticket.goto(`/ticket/${bookingCode}?wa=081355556666`);
  await expect(ticket.getByTestId("ticket")).toContainText(bookingCode);
  await expect(ticket.getByTestId("ticket-seats")).toHaveText("2A, 2B");
  await expect(ticket.getByTestId("passengers")).toHaveText("2A Dewi Lestari2B Rudi Hartono");

  // The manifest lists the passenger, on the page and in the CSV.
  await admin.goto(`/admin/trips/${trip.id}`);
  await hydrated(admin);
  const manifest = admin.getByTestId("manifest");
  const seatRow = (code: string) => manifest.locator("tr").filter({ has: admin.locator("td:first-child", { hasText: new RegExp(`^${code}$`) }) });
  await expect(seatRow("2A")).toContainText("Dewi Lestari");
  await expect(seatRow("2A")).not.toContainText("Pemesan");
  await expect(seatRow("2B")).toContainText("Rudi HartonoPemesan: Dewi Lestari");
  await expect(manifest).toContainText(bookingCode);
  const csvHref = await admin.getByTestId("manifest-csv").getAttribute("href");
  const csv = await admin.request.get(csvHref!);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain(`2A,Dewi Lestari,6281355556666,${bookingCode},${claim},BOOKED,Dewi Lestari`);
  expect(text).toContain(`2B,Rudi Hartono,6281355556666,${bookingCode},${claim},BOOKED,Dewi Lestari`);
  await lookAndScan(admin, "admin-trip");

  // Cancelling asks first, then frees the seats.
  await admin.goto(`/admin?q=${claim}&status=BOOKED`);
  await hydrated(admin);
  const booked = admin.getByTestId("admin-hold");
  await expect(booked).toHaveCount(1);
  await booked.getByRole("button", { name: "Batalkan pesanan…" }).click();
  await expect(booked.getByRole("group", { name: "Konfirmasi pembatalan" })).toBeVisible();
  await booked.getByRole("button", { name: "Ya, batalkan" }).click();
  await expect(seat(passenger, "2A")).toHaveAttribute("data-status", "AVAILABLE", { timeout: 5000 });
});

test("the admin adds a trip, edits it and takes it off sale", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Perjalanan" }).click();
  await expect(page).toHaveURL(/\/admin\/trips$/);
  await hydrated(page);
  const from = `Cirebon${Date.now() % 100000}`;
  await page.getByLabel("Dari").fill(from);
  await page.getByLabel("Ke", { exact: true }).fill("Semarang");
  const d = new Date(Date.now() + 5 * 24 * 3600 * 1000);
  const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}T07:30`;
  await page.getByLabel("Berangkat (waktu setempat)").fill(local);
  await page.getByLabel("Harga (Rp)").fill("185.000");
  await page.getByLabel("Jenis bus").selectOption("SLEEPER");
  await page.getByLabel("WhatsApp admin").fill("0812 7777 8888");
  await page.getByRole("button", { name: "Simpan perjalanan" }).click();
  await expect(page.getByRole("status")).toContainText("Perjalanan dibuat");
  const row = page.getByTestId("admin-trip").filter({ hasText: from });
  await expect(row).toContainText("Rp 185.000");
  await expect(row).toContainText("22/22");
  await lookAndScan(page, "admin-trips");

  await row.getByRole("link").click();
  await hydrated(page);
  await page.getByLabel("Harga (Rp)").fill("199000");
  await page.getByRole("button", { name: "Simpan", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Tersimpan");
  await expect(page.locator("main")).toContainText("Rp 199.000");
  await page.getByTestId("toggle-active").click();
  await expect(page.getByTestId("toggle-active")).toHaveText("Aktifkan lagi");

  // Off sale: passengers no longer find it.
  const listed = await page.request.get(`/api/trips/?from=${from}`);
  expect(await listed.json()).toEqual([]);

  // Signing out ends the session: the admin pages send back to sign-in.
  await page.getByRole("button", { name: "Keluar" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto("/admin/trips");
  await expect(page).toHaveURL(/\/admin\/login$/);
  const me = await page.request.get("/api/admin/me/");
  expect(me.status()).toBe(401);
});

test("the admin uploads a bank statement and confirms the transfers that match", async ({ browser, request }) => {
  const trip = await createTrip(request);
  // A passenger holds a seat through the API and gets an amount to transfer.
  const passenger = await browser.newContext();
  const held = await passenger.request.post("/api/seats/hold/", { data: { trip_id: trip.id, seats: ["3C"] } });
  expect(held.status()).toBe(200);
  const contact = await passenger.request.post("/api/hold/attach-contact/", {
    data: { name: "Rina Marlina", whatsapp: "0813 2222 4444" },
  });
  const hold = await contact.json();
  const amount: number = hold.amount_due;
  const shown = `${Math.floor(amount / 1000)},${String(amount % 1000).padStart(3, "0")}.00`;
  const now = new Date(Date.now() + 7 * 3600 * 1000); // WIB
  const today = `${String(now.getUTCDate()).padStart(2, "0")}/${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
  // KlikBCA's export: the transfer, an unknown credit and a fee.
  const csv = [
    "Informasi Rekening - Mutasi Rekening",
    "No. rekening : ,'0123456789",
    "Periode : ,01/12/2026 - 02/12/2026",
    "",
    "Tanggal Transaksi,Keterangan,Cabang,Jumlah,,Saldo",
    `'${today},"TRSF E-BANKING CR RINA MARLINA",'0000,"${shown}",CR,"1,000,000.00"`,
    `'${today},"SETORAN TUNAI",'0000,"123,456.00",CR,"1,123,456.00"`,
    `'${today},"BIAYA ADM",'0000,"10,000.00",DB,"1,113,456.00"`,
    "",
    'Saldo Akhir,:,"1,113,456.00"',
  ].join("\r\n");

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await admin.getByRole("link", { name: "Mutasi bank" }).click();
  await expect(admin).toHaveURL(/\/admin\/statement$/);
  await hydrated(admin);
  await admin.getByLabel("File mutasi (CSV)").setInputFiles({ name: "mutasi.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(admin.getByTestId("statement-summary")).toContainText("Format KlikBCA dikenali");
  await expect(admin.getByTestId("statement-summary")).toContainText("2 transfer masuk, 1 debit diabaikan");
  const ready = admin.getByTestId("statement-ready");
  const line = ready.getByTestId("statement-credit");
  await expect(line).toHaveCount(1);
  await expect(line).toHaveAttribute("data-claim", hold.claim_code);
  await expect(line).toContainText("Rina Marlina");
  await expect(admin.getByTestId("statement-unmatched").getByTestId("statement-credit")).toContainText("Rp 123.456");
  await lookAndScan(admin, "admin-statement");

  // Nothing is booked until the admin clicks.
  const statusOf = async () => {
    const res = await request.get(`/api/admin/holds/?q=${hold.claim_code}`, { headers: { "X-ADMIN-KEY": ADMIN_KEY } });
    return (await res.json())[0].status;
  };
  expect(await statusOf()).toBe("HELD");
  await admin.getByTestId("confirm-all").click();
  await expect(line.getByTestId("statement-booked-code")).toContainText(/BK-[0-9A-Z]{6}/);
  await expect(admin.getByTestId("confirm-all")).toBeDisabled();
  expect(await statusOf()).toBe("BOOKED");
});

test("the admin sets a bank account and the passenger's pay step shows it", async ({ browser, request }) => {
  const trip = await createTrip(request);
  const digits = `8${String(Date.now()).slice(-9)}`;
  const grouped = digits.match(/.{1,4}/g)!.join(" ");

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await admin.getByRole("link", { name: "Rekening" }).click();
  await expect(admin).toHaveURL(/\/admin\/payment$/);
  await hydrated(admin);
  await admin.getByLabel("Bank").fill("BCA");
  // Typed as a passbook prints it; kept as digits.
  await admin.getByLabel("Nomor rekening").fill(`${digits.slice(0, 3)}-${digits.slice(3, 6)} ${digits.slice(6)}`);
  await admin.getByLabel("Atas nama").fill("PO Kursi Ujicoba");
  await admin.getByRole("button", { name: "Simpan rekening" }).click();
  await expect(admin.getByTestId("account-saved")).toHaveText("Rekening disimpan.");
  const mine = admin.getByTestId("admin-account").filter({ hasText: grouped });
  await expect(mine).toContainText("a.n. PO Kursi Ujicoba");
  const listed = await request.get("/api/payment-accounts/");
  expect((await listed.json()).map((a: { number: string }) => a.number)).toContain(digits);
  await lookAndScan(admin, "admin-payment");

  // The passenger's pay step lists it under the amount, number copyable.
  const page = await (await browser.newContext()).newPage();
  await page.goto(`/trips/${trip.id}`);
  await hydrated(page);
  await seat(page, "2A").click();
  await expect(seat(page, "2A")).toHaveAttribute("data-status", "MINE");
  await page.getByLabel("Nama").fill("Yuni Astuti");
  await page.getByLabel("Nomor WhatsApp").fill("0813 5555 6666");
  await page.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  await expect(page.getByTestId("amount-due")).toBeVisible();
  const account = page.getByTestId("payment-account").filter({ hasText: grouped });
  await expect(account).toContainText("BCA");
  await expect(account).toContainText("a.n. PO Kursi Ujicoba");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await account.getByRole("button", { name: "Salin nomor BCA" }).click();
  await expect(account.getByTestId("copy-account")).toContainText("Nomor tersalin");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(digits);
  await lookAndScan(page, "trip-pay-accounts");

  // The operator's QRIS image, uploaded on the same admin page (drawn
  // here), shows on the pay step under the accounts.
  const qris = await admin.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 300;
    c.height = 300;
    const g = c.getContext("2d")!;
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, 300, 300);
    g.fillStyle = "#000000";
    for (let i = 0; i < 15; i++) for (let j = 0; j < 15; j++) if ((i * 7 + j * 3) % 5 < 2) g.fillRect(i * 20, j * 20, 20, 20);
    return c.toDataURL("image/png").split(",")[1];
  });
  await admin.getByTestId("qris-file").setInputFiles({ name: "qris.png", mimeType: "image/png", buffer: Buffer.from(qris, "base64") });
  await admin.getByRole("button", { name: "Unggah QRIS" }).click();
  await expect(admin.getByTestId("qris-saved")).toHaveText("QRIS disimpan.");
  await expect(admin.getByTestId("admin-qris").getByRole("img")).toBeVisible();
  await page.reload();
  await hydrated(page);
  const shown = page.getByTestId("qris").getByRole("img", { name: "Kode QRIS operator untuk membayar" });
  await expect(shown).toBeVisible();
  await expect.poll(() => shown.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(300);
  await lookAndScan(page, "trip-pay-qris");
  await admin.getByRole("button", { name: "Hapus QRIS" }).click();
  await expect(admin.getByTestId("no-qris")).toBeVisible();

  // Retired, it is no longer shown (its record stays for the audit).
  await mine.getByRole("button", { name: /^Hapus/ }).click();
  await expect(mine).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("amount-due")).toBeVisible();
  await expect(page.getByTestId("payment-account").filter({ hasText: grouped })).toHaveCount(0);
  await expect(page.getByTestId("qris")).toHaveCount(0);
});

test("the admin adds a weekly schedule, its trips go on sale, and changing it moves the trips nobody holds", async ({ page, request, browser }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Jadwal", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/schedules$/);
  await hydrated(page);
  const from = `Jadwal${Date.now() % 1000000}`;
  // Today in WIB.
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  // The add form (each schedule listed has an edit form with the same fields).
  const add = page.locator("form").filter({ has: page.getByRole("button", { name: "Simpan jadwal" }) });
  await add.getByLabel("Dari", { exact: true }).fill(from);
  await add.getByLabel("Ke", { exact: true }).fill("Tasikmalaya");
  await add.getByLabel("Jam berangkat (waktu setempat)").fill("21:15");
  for (const day of ["Sen", "Rab", "Jum"]) await add.getByLabel(day, { exact: true }).check();
  await add.getByLabel("Harga (Rp)").fill("125.000");
  await add.getByLabel("WhatsApp admin").fill("0812 1111 2222");
  await add.getByLabel("Mulai tanggal").fill(today);
  await add.getByRole("button", { name: "Simpan jadwal" }).click();
  await expect(page.getByTestId("schedule-made")).toContainText("perjalanan dibuat");
  // The add form is empty again, ready for the next schedule.
  await expect(add.getByLabel("Dari", { exact: true })).toHaveValue("");
  const item = page.getByTestId("schedule").filter({ hasText: from });
  await expect(item).toContainText("21:15 · Sen, Rab, Jum");
  await expect(item).toContainText("Rp 125.000");
  // 30 days ahead, three days a week: 12 to 14 trips, all on sale.
  const ahead = Number(await item.getByTestId("trips-ahead").textContent());
  expect(ahead).toBeGreaterThanOrEqual(12);
  expect(ahead).toBeLessThanOrEqual(14);
  const listed = await (await request.get(`/api/trips/?from=${from}`)).json();
  expect(listed.length).toBe(ahead);
  for (const trip of listed) {
    // 21:15 WIB is 14:15 UTC, on a Monday, Wednesday or Friday.
    expect(trip.depart_at).toMatch(/T14:15:00Z$/);
    expect([1, 3, 5]).toContain(new Date(trip.depart_at).getUTCDay());
    expect(trip.price).toBe(125000);
  }
  await lookAndScan(page, "admin-schedules");

  // The first trip's date is skipped: it goes off sale.
  const first = listed[0].depart_at.slice(0, 10);
  await item.getByText("Libur atau harga khusus…").click();
  await item.getByLabel("Tanggal", { exact: true }).fill(first);
  await item.getByRole("button", { name: "Liburkan" }).click();
  await expect(item.getByTestId("trips-ahead")).toHaveText(String(ahead - 1));
  await expect(item).toContainText("libur");
  const onSale = await (await request.get(`/api/trips/?from=${from}`)).json();
  expect(onSale.length).toBe(ahead - 1);

  // A passenger holds a seat on the next trip; then the admin moves the
  // schedule to 20:00 on Mondays and Wednesdays at Rp 130.000. The held
  // trip stays as it was sold; every other trip follows.
  const held = onSale[0];
  const passenger = await browser.newContext();
  expect((await passenger.request.post("/api/seats/hold/", { data: { trip_id: held.id, seats: ["1A"] } })).status()).toBe(200);
  await item.getByText("Ubah jadwal…").click();
  const edit = item.locator("form").filter({ has: page.getByRole("button", { name: "Simpan perubahan" }) });
  await expect(edit.getByLabel("Dari", { exact: true })).toHaveValue(from);
  await expect(edit.getByLabel("Jum", { exact: true })).toBeChecked();
  await edit.getByLabel("Jam berangkat (waktu setempat)").fill("20:00");
  await edit.getByLabel("Jum", { exact: true }).uncheck();
  await edit.getByLabel("Harga (Rp)").fill("130.000");
  await edit.getByRole("button", { name: "Simpan perubahan" }).click();
  await expect(page.getByTestId("schedule-edited")).toContainText("1 tetap (sudah ada pemesan)");
  await expect(item).toContainText("20:00 · Sen, Rab");
  const after = await (await request.get(`/api/trips/?from=${from}`)).json();
  const kept = after.find((t: { id: number }) => t.id === held.id);
  expect(kept.depart_at).toBe(held.depart_at);
  expect(kept.price).toBe(125000);
  for (const trip of after.filter((t: { id: number }) => t.id !== held.id)) {
    // 20:00 WIB is 13:00 UTC, on a Monday or Wednesday.
    expect(trip.depart_at).toMatch(/T13:00:00Z$/);
    expect([1, 3]).toContain(new Date(trip.depart_at).getUTCDay());
    expect(trip.price).toBe(130000);
  }
  expect(after.length).toBeLessThan(onSale.length);
  await lookAndScan(page, "admin-schedules-edited");
});

test("the admin registers a webhook; a passenger's contact reaches it signed, and is sent again on request", async ({ browser, request }) => {
  // The operator's receiving system: a server on a free port.
  const received: { signature: string; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ signature: String(req.headers["kursi-signature"] ?? ""), body });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kursi`;
  try {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin);
    await admin.getByRole("link", { name: "Webhook" }).click();
    await expect(admin).toHaveURL(/\/admin\/webhooks$/);
    await hydrated(admin);
    await admin.getByLabel("Alamat (URL)").fill(url);
    await admin.getByRole("button", { name: "Simpan alamat" }).click();
    const secret = ((await admin.getByTestId("webhook-secret").locator(".secret").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    const endpoint = admin.getByTestId("webhook-endpoint").filter({ hasText: url });
    await expect(endpoint).toBeVisible();

    // A passenger of a trip of this test's own holds a seat and gives contact.
    const trip = await createTrip(request);
    expect((await request.post("/api/seats/hold/", { data: { trip_id: trip.id, seats: ["3B"] } })).status()).toBe(200);
    const contact = await request.post("/api/hold/attach-contact/", { data: { name: "Dewi Lestari", whatsapp: "0812 7777 1234" } });
    expect(contact.status()).toBe(200);
    const claim = (await contact.json()).claim_code;

    // The event arrives within a few seconds, signed with the secret.
    const mine = () => received.filter((r) => JSON.parse(r.body).data.trip_id === trip.id);
    await expect.poll(() => mine().length, { timeout: 15_000 }).toBe(1);
    const [first] = mine();
    const event = JSON.parse(first.body);
    expect(event.type).toBe("hold.contact_attached");
    expect(event.data.claim_code).toBe(claim);
    expect(event.data.seats).toEqual(["3B"]);
    const [, t, v1] = first.signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
    expect(createHmac("sha256", secret).update(`${t}.${first.body}`).digest("hex")).toBe(v1);
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);

    // The admin sees it delivered, and sends it again: the same event.
    await admin.reload();
    await hydrated(admin);
    await expect(admin.getByTestId("webhook-secret")).toHaveCount(0);
    const row = admin.getByTestId("webhook-delivery").filter({ hasText: "Kontak diisi" }).filter({ hasText: "HTTP 204" }).first();
    await expect(row.getByTestId("webhook-status")).toHaveText("Terkirim");
    await lookAndScan(admin, "admin-webhooks");
    await admin.setViewportSize({ width: 1280, height: 900 });
    const before = received.length;
    const earlier = received.map((r) => JSON.parse(r.body).id);
    await row.getByRole("button", { name: /^Kirim ulang/ }).click();
    // What arrives again is an event sent before, by its id (other journeys'
    // passengers may send new ones meanwhile).
    const resent = () => received.slice(before).filter((r) => earlier.includes(JSON.parse(r.body).id)).length;
    await expect.poll(resent, { timeout: 15_000 }).toBeGreaterThan(0);

    // Retired, it hears nothing more.
    await endpoint.getByRole("button", { name: /^Hentikan/ }).click();
    await expect(endpoint).toHaveCount(0);
  } finally {
    receiver.close();
  }
});

test("the reports page draws occupancy, revenue and conversion as SVG that reads without JavaScript", async ({ browser, request }) => {
  // Two pages scanned at two widths each.
  test.setTimeout(120_000);
  const trip = await createTrip(request, "EXECUTIVE");
  // A passenger books two seats (through the API) and the admin confirms.
  const passenger = await browser.newContext();
  expect((await passenger.request.post("/api/seats/hold/", { data: { trip_id: trip.id, seats: ["1A", "1B"] } })).status()).toBe(200);
  const attached = await passenger.request.post("/api/hold/attach-contact/", { data: { name: "Laporan Uji", whatsapp: "0813 7777 8888" } });
  expect(attached.status()).toBe(200);
  const booked = await request.post("/api/admin/generate-booking-code/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: { claim_code: (await attached.json()).claim_code },
  });
  expect(booked.status()).toBe(200);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await admin.getByRole("navigation", { name: "Menu admin" }).getByRole("link", { name: "Laporan" }).click();
  await expect(admin).toHaveURL(/\/admin\/reports$/);
  await expect(admin.getByRole("heading", { level: 1, name: "Laporan" })).toBeVisible();
  // The trip's seat-fill bar says what it draws.
  const fill = admin.getByTestId("fill-row").filter({ hasText: trip.from });
  await expect(fill.getByRole("img")).toHaveAttribute("aria-label", /^2 dari \d+ kursi terisi, 0 ditahan$/);
  await expect(fill).toContainText(/2\/\d+ · \d+%/);
  // Revenue per day: a column for each of the last 14 days.
  const daily = admin.getByTestId("daily-chart");
  await expect(daily.getByRole("img", { name: "Pendapatan per hari" })).toBeVisible();
  await expect(daily.locator("rect.bar")).toHaveCount(14);
  await expect(admin.getByTestId("route-row").filter({ hasText: trip.from })).toContainText(/Rp 350\.\d{3}/);
  await expect(admin.getByTestId("conversion-headline")).toContainText("% tahanan yang sudah isi kontak dibayar");
  await lookAndScan(admin, "admin-reports");

  // The range is a plain GET form: one day, and its CSV twin.
  const today = await admin.getByLabel("Sampai tanggal").inputValue();
  await admin.getByLabel("Dari tanggal").fill(today);
  await admin.getByRole("button", { name: "Tampilkan" }).click();
  await expect(admin).toHaveURL(new RegExp(`from=${today}&to=${today}`));
  await expect(admin.getByTestId("daily-chart").locator("rect.bar")).toHaveCount(1);
  const csv = await admin.request.get((await admin.getByTestId("days-csv").getAttribute("href"))!);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split("\n")[0]).toContain("date,bookings,seats,revenue");

  // Without JavaScript the same page draws the same charts.
  const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await admin.context().storageState() });
  const noJs = await plain.newPage();
  await noJs.goto("/admin/reports");
  await expect(noJs.getByTestId("daily-chart").locator("rect.bar")).toHaveCount(14);
  await expect(noJs.getByTestId("fill-row").filter({ hasText: trip.from }).getByRole("img")).toHaveAttribute("aria-label", /^2 dari/);

  // In English too (axe needs the page's JavaScript, so on the admin's page).
  await admin.getByTestId("lang-switch").click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Reports");
  await expect(admin.getByTestId("daily-chart").getByRole("img", { name: "Revenue per day" })).toBeVisible();
  await expect(admin.getByTestId("fill-row").filter({ hasText: trip.from }).getByRole("img")).toHaveAttribute("aria-label", /^2 of \d+ seats booked, 0 held$/);
  await lookAndScan(admin, "admin-reports-en");
});

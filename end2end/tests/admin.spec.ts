import { test, expect, type Page } from "@playwright/test";
import { ADMIN_KEY, createTrip, hydrated, lookAndScan, seat } from "./helpers";

const STAFF_USER = "admin";
const STAFF_PASSWORD = process.env.ADMIN_PASSWORD ?? "e2e-password-123";

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
  for (const path of ["/admin", "/admin/", "/admin/trips", "/admin/trips/1", "/admin/holds/AAAA-AAAA"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(303);
    expect(res.headers()["location"], path).toBe("/admin/login");
  }
  await page.goto("/admin/trips");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByRole("heading", { name: "Masuk sebagai admin" })).toBeVisible();
  const sf = await request.post("/sf/admin_trips", { headers: { "content-type": "application/x-www-form-urlencoded" } });
  expect(sf.status()).toBe(401);

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
  await passenger.getByLabel("Nama").fill("Dewi Lestari");
  await passenger.getByLabel("Nomor WhatsApp").fill("0813 5555 6666");
  await passenger.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  const claim = (await passenger.getByTestId("claim-code").textContent())!.trim();

  // The admin signs in on another device and searches the claim code as
  // the passenger typed it in the chat.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await admin.getByLabel("Cari nama, nomor WA atau kode klaim").fill(claim.toLowerCase());
  await admin.getByRole("button", { name: "Cari" }).click();
  const row = admin.getByTestId("admin-hold");
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-claim", claim);
  await expect(row).toContainText("Dewi Lestari");
  await expect(row).toContainText("2A, 2B");
  await expect(row).toContainText("+6281355556666");
  await expect(row.getByTestId("time-left")).toHaveText(/^\d+:\d\d$/);
  await lookAndScan(admin, "admin-holds");

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

  // The manifest lists the passenger, on the page and in the CSV.
  await admin.goto(`/admin/trips/${trip.id}`);
  await hydrated(admin);
  const manifest = admin.getByTestId("manifest");
  await expect(manifest).toContainText("Dewi Lestari");
  await expect(manifest).toContainText(bookingCode);
  const csvHref = await admin.getByTestId("manifest-csv").getAttribute("href");
  const csv = await admin.request.get(csvHref!);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain(`2A,Dewi Lestari,6281355556666,${bookingCode},${claim},BOOKED`);
  expect(text).toContain(`2B,Dewi Lestari,6281355556666,${bookingCode},${claim},BOOKED`);
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

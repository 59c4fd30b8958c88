import { test, expect, request as api, type APIRequestContext, type Page } from "@playwright/test";
import * as fs from "node:fs";
import { ADMIN_KEY, hydrated, lookAndScan, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

// Made by scripts/test.sh with `kursi staff crew --crew` before the tests.
const CREW_USER = "crew";
const CREW_PASSWORD = process.env.CREW_PASSWORD ?? "crew-password-123";
const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/** A trip leaving in two hours: the crew's list shows it. */
async function tonight(request: APIRequestContext, from: string) {
  const res = await request.post("/api/admin/trips/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: {
      route_from: from,
      route_to: "Cirebon",
      depart_at: new Date(Date.now() + 2 * 3600 * 1000).toISOString(),
      price: 150000,
      bus_type: "EXECUTIVE",
      admin_wa: "081299990000",
    },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).id as number;
}

/** A paid booking of `seats` by a passenger of their own; its code. */
async function paid(trip: number, seats: string[], names: string[], wa: string) {
  const passenger = await api.newContext({ baseURL });
  expect((await passenger.post("/api/seats/hold/", { data: { trip_id: trip, seats } })).status()).toBe(200);
  const hold = await passenger.post("/api/hold/attach-contact/", {
    data: { name: names[0], whatsapp: wa, passengers: seats.map((seat, i) => ({ seat, name: names[i] })) },
  });
  expect(hold.status()).toBe(200);
  const booked = await passenger.post("/api/admin/generate-booking-code/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: { claim_code: (await hold.json()).claim_code },
  });
  expect(booked.status()).toBe(200);
  const code = (await booked.json()).booking_code as string;
  await passenger.dispose();
  return code;
}

async function signInAsCrew(page: Page) {
  await page.goto("/admin/login");
  await hydrated(page);
  await page.getByLabel("Nama pengguna").fill(CREW_USER);
  await page.getByLabel("Kata sandi").fill(CREW_PASSWORD);
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(page).toHaveURL(/\/crew$/);
}

test("a crew member boards tickets by a photo of the QR code and by typed codes, and the admin sees it live", async ({ browser, page, request }) => {
  const from = `Pulogebang${Date.now() % 100000}`;
  const trip = await tonight(request, from);
  const otherFrom = `Lain${Date.now() % 100000}`;
  const other = await tonight(request, otherFrom);
  const family = await paid(trip, ["1A", "1B"], ["Budi Santoso", "Siti Rahma"], "081355550001");
  const single = await paid(trip, ["2A"], ["Andi Wijaya"], "081355550002");
  const elsewhere = await paid(other, ["3A"], ["Rina Kusuma"], "081355550003");

  // The passenger's ticket: its QR code, photographed (a screenshot).
  const ticket = await (await browser.newContext()).newPage();
  await ticket.goto(`/ticket/${family}?wa=081355550001`);
  await expect(ticket.getByTestId("ticket")).toContainText(family);
  fs.mkdirSync("test-results", { recursive: true });
  const photo = `test-results/qr-${family}.png`;
  await ticket.locator(".qr").screenshot({ path: photo });

  // The admin watches the trip's manifest.
  const admin = await (await browser.newContext()).newPage();
  await admin.goto("/admin/login");
  await hydrated(admin);
  await admin.getByLabel("Nama pengguna").fill("admin");
  await admin.getByLabel("Kata sandi").fill(process.env.ADMIN_PASSWORD ?? "e2e-password-123");
  await admin.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  // A bus nobody has booked says so.
  const empty = await tonight(request, `Kosong${Date.now() % 100000}`);
  await admin.goto(`/admin/trips/${empty}`);
  await expect(admin.getByTestId("manifest-empty")).toHaveText("Belum ada penumpang yang memesan atau membayar.");
  await expect(admin.getByTestId("manifest")).toBeHidden();
  await admin.goto(`/admin/trips/${trip}`);
  await hydrated(admin);
  const adminRow = admin.getByTestId("manifest").getByRole("row", { name: /1A/ });
  await expect(adminRow.getByTestId("boarded-at")).toHaveText("—");

  // The crew member signs in, lands on their buses, and opens tonight's.
  await signInAsCrew(page);
  await page.getByRole("link", { name: new RegExp(from) }).click();
  await expect(page).toHaveURL(new RegExp(`/crew/trips/${trip}$`));
  await hydrated(page);
  await expect(page.getByTestId("door-count")).toHaveText("0 dari 3 penumpang lunas sudah naik");
  await expect(page.getByTestId("missing")).toContainText("Siti Rahma");

  // The photo of the QR code: both seats board.
  await page.getByTestId("scan-photo").setInputFiles(photo);
  const verdict = page.getByTestId("verdict");
  await expect(verdict).toHaveClass(/ok/);
  await expect(verdict).toContainText("SILAKAN NAIK");
  await expect(verdict).toContainText(`${family} · 1A Budi Santoso, 1B Siti Rahma`);
  await expect(page.getByTestId("door-count")).toHaveText("2 dari 3 penumpang lunas sudah naik");
  await expect(page.getByTestId("missing")).not.toContainText("Siti Rahma");
  // A picture's scan leaves the code field alone: focusing it would raise
  // a phone's keyboard over the camera.
  await expect(page.getByTestId("scan-code")).not.toBeFocused();

  // The admin's page shows it without a reload.
  await expect(adminRow.getByTestId("boarded-at")).toHaveText(/^\d\d\.\d\d$/, { timeout: 3_000 });

  // A typed code boards; the field is empty again, ready for the next.
  const code = page.getByTestId("scan-code");
  await code.fill(single.toLowerCase());
  await code.press("Enter");
  await expect(verdict).toContainText(`${single} · 2A Andi Wijaya`);
  await expect(verdict).toHaveClass(/ok/);
  await expect(code).toHaveValue("");
  await expect(code).toBeFocused();
  await expect(page.getByTestId("missing")).toHaveCount(0);
  await expect(page.getByText("Semua sudah naik.")).toBeVisible();

  // The loud refusals: the same ticket again, another bus's, an unknown code.
  await code.fill(family);
  await code.press("Enter");
  await expect(verdict).toHaveClass(/stop/);
  await expect(verdict).toContainText("SUDAH NAIK");
  await expect(verdict).toContainText("(crew:crew)");
  await code.fill(elsewhere);
  await code.press("Enter");
  await expect(verdict).toContainText("BUKAN BUS INI");
  await expect(verdict).toContainText(`${elsewhere} · tiket untuk ${otherFrom} → Cirebon`);
  await code.fill("BK-000000");
  await code.press("Enter");
  await expect(verdict).toContainText("KODE TIDAK DIKENAL");
  await code.fill(`KURSI:${single}:0000000000000000`);
  await code.press("Enter");
  await expect(verdict).toContainText("QR PALSU");
  await lookAndScan(page, "crew-boarding");

  // The crew account cannot open the admin's pages.
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/crew$/);
  await expect(page.getByTestId("crew-trips")).toContainText(from);
  await lookAndScan(page, "crew-trips");
});

test("the boarding page reads in English", async ({ page, request }) => {
  const from = `Rambutan${Date.now() % 100000}`;
  const trip = await tonight(request, from);
  const code = await paid(trip, ["5A"], ["Dewi Lestari"], "081355550009");
  await signInAsCrew(page);
  await page.goto("/lang/en");
  await page.goto(`/crew/trips/${trip}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Not boarded yet" })).toBeVisible();
  await page.getByLabel("Booking code").fill(code);
  await page.getByRole("button", { name: "Board", exact: true }).click();
  await expect(page.getByTestId("verdict")).toContainText("BOARD");
  await expect(page.getByTestId("door-count")).toHaveText("1 of 1 paid passengers boarded");
  await lookAndScan(page, "crew-boarding-en");
});

import { test, expect, request as api, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_KEY, hydrated, lookAndScan, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const STAFF_PASSWORD = process.env.ADMIN_PASSWORD ?? "e2e-password-123";

/** The next 19:00 WIB (12:00 UTC) at least an hour away: the crew's list
 * shows it, and its stops' clock times are known. */
function nextEvening(): Date {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  if (d.getTime() < Date.now() + 3600 * 1000) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** A night bus with three stops, named uniquely for this run. */
async function nightBus(request: APIRequestContext) {
  const n = `${process.pid % 1000}${Date.now() % 100000}`;
  const places = { start: `Terminal Rambutan${n}`, middle: `Agen Cileunyi${n}`, end: `Terminal Giwangan${n}` };
  const res = await request.post("/api/admin/trips/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: {
      route_from: "Jakarta",
      route_to: "Yogyakarta",
      depart_at: nextEvening().toISOString(),
      price: 320000,
      bus_type: "EXECUTIVE",
      admin_wa: "081299990000",
      stops: [
        { place: places.start, minutes: 0 },
        { place: places.middle, minutes: 135 },
        { place: places.end, minutes: 630 },
      ],
    },
  });
  expect(res.status()).toBe(200);
  return { id: (await res.json()).id as number, ...places };
}

async function signIn(page: Page) {
  await page.goto("/admin/login");
  await hydrated(page);
  await page.getByLabel("Nama pengguna").fill("admin");
  await page.getByLabel("Kata sandi").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test("a passenger finds a bus by its stops, chooses where to get on and off, and the manifest and the crew follow", async ({ browser, page, request }) => {
  const bus = await nightBus(request);

  // The search by a stop in the middle finds the bus, with the passenger's
  // points on its card.
  await page.goto(`/?from=${encodeURIComponent("cileunyi" + bus.middle.slice(13))}&to=${encodeURIComponent(bus.end)}`);
  const card = page.getByTestId("trip-card");
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId("trip-stops")).toContainText(`Naik 21.15 · ${bus.middle}`);
  await expect(card.getByTestId("trip-stops")).toContainText(`Turun 05.30 (+1) · ${bus.end}`);
  await lookAndScan(page, "stops-search");
  await card.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/trips/${bus.id}\\?from=`));
  await expect(page.getByTestId("stops")).toHaveText(`19.00 ${bus.start}21.15 ${bus.middle}05.30 (+1) ${bus.end}`);
  await hydrated(page);

  // Two seats; the points the search suggested are chosen already.
  await seat(page, "3A").click();
  await expect(seat(page, "3A")).toHaveAttribute("data-status", "MINE");
  await seat(page, "3B").click();
  await expect(seat(page, "3B")).toHaveAttribute("data-status", "MINE");
  const board = page.getByLabel("Naik di");
  const alight = page.getByLabel("Turun di");
  await expect(board).toHaveValue(bus.middle);
  await expect(alight).toHaveValue(bus.end);
  // The drop-off list offers only stops after the boarding one.
  await expect(alight.locator("option")).toHaveText([`05.30 (+1) · ${bus.end}`]);
  await board.selectOption(bus.start);
  await expect(alight.locator("option")).toHaveText([`21.15 · ${bus.middle}`, `05.30 (+1) · ${bus.end}`]);
  await alight.selectOption(bus.middle);
  // Boarding later than the chosen drop-off moves the drop-off to the end.
  await board.selectOption(bus.middle);
  await expect(alight).toHaveValue(bus.end);
  await page.getByLabel("Nama", { exact: true }).fill("Dewi Lestari");
  await page.getByLabel("Nomor WhatsApp").fill("0813 7777 1111");
  await page.locator("#seat-name-3B").fill("Rudi Hartono");
  await page.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  const claim = (await page.getByTestId("claim-code").textContent())!.trim();
  await expect(page.getByTestId("board")).toHaveText(`21.15 · ${bus.middle}`);
  await expect(page.getByTestId("alight")).toHaveText(`05.30 (+1) · ${bus.end}`);
  await lookAndScan(page, "stops-trip");

  // Paid; another passenger boards at the first stop.
  const booked = await request.post("/api/admin/generate-booking-code/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: { claim_code: claim },
  });
  expect(booked.status()).toBe(200);
  const code = (await booked.json()).booking_code as string;
  const other = await api.newContext({ baseURL });
  expect((await other.post("/api/seats/hold/", { data: { trip_id: bus.id, seats: ["5A"] } })).status()).toBe(200);
  const otherHold = await other.post("/api/hold/attach-contact/", { data: { name: "Andi Wijaya", whatsapp: "081377772222" } });
  expect(otherHold.status()).toBe(200);
  expect((await otherHold.json()).board.place).toBe(bus.start);
  await other.dispose();

  // The ticket shows the points.
  const ticket = await (await browser.newContext()).newPage();
  await ticket.goto(`/ticket/${code}?wa=081377771111`);
  await expect(ticket.getByTestId("board")).toHaveText(`21.15 · ${bus.middle}`);
  await expect(ticket.getByTestId("alight")).toHaveText(`05.30 (+1) · ${bus.end}`);
  await lookAndScan(ticket, "stops-ticket");

  // The admin's manifest, by seat and by boarding point; the edit form
  // shows the stops as the admin writes them.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  await admin.goto(`/admin/trips/${bus.id}`);
  await hydrated(admin);
  const seats = admin.getByTestId("manifest").locator("tbody tr td:first-child");
  await expect(seats).toHaveText(["3A", "3B", "5A"]);
  await expect(admin.getByTestId("manifest-stops").first()).toHaveText(`21.15 · ${bus.middle} → 05.30 (+1) · ${bus.end}`);
  await admin.getByTestId("order-by-stop").check();
  await expect(seats).toHaveText(["5A", "3A", "3B"]);
  await expect(admin.getByTestId("manifest-csv")).toHaveAttribute("href", `/api/admin/trips/${bus.id}/manifest.csv?order=stop`);
  await expect(admin.getByLabel("Titik naik dan turun (boleh kosong)")).toHaveValue(`19:00 ${bus.start}\n21:15 ${bus.middle}\n05:30 ${bus.end}`);
  await lookAndScan(admin, "stops-manifest");

  // The crew's missing list, by boarding point in the order the bus
  // meets them.
  const crew = await (await browser.newContext()).newPage();
  await crew.goto("/admin/login");
  await hydrated(crew);
  await crew.getByLabel("Nama pengguna").fill("crew");
  await crew.getByLabel("Kata sandi").fill(process.env.CREW_PASSWORD ?? "crew-password-123");
  await crew.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(crew).toHaveURL(/\/crew$/);
  await crew.goto(`/crew/trips/${bus.id}`);
  await hydrated(crew);
  await expect(crew.getByTestId("missing-stop")).toHaveText([`19.00 · ${bus.start} (1)`, `21.15 · ${bus.middle} (2)`]);
  // The hold not paid yet is marked: it may not board.
  await expect(crew.getByTestId("missing").first()).toContainText("Menunggu bayar");
  await expect(crew.getByTestId("missing").nth(1)).not.toContainText("Menunggu bayar");
  await lookAndScan(crew, "stops-crew");
});

test("an admin writes a trip's stops as lines, and a wrong line is explained", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/trips");
  await hydrated(page);
  const from = `Bogor${Date.now() % 100000}`;
  const d = new Date(Date.now() + 4 * 24 * 3600 * 1000);
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  await page.getByLabel("Dari").fill(from);
  await page.getByLabel("Ke", { exact: true }).fill("Bandung");
  await page.getByLabel("Berangkat (waktu setempat)").fill(`${day}T06:00`);
  await page.getByLabel("Harga (Rp)").fill("90.000");
  await page.getByLabel("WhatsApp admin").fill("0812 9999 0000");
  const stops = page.getByLabel("Titik naik dan turun (boleh kosong)");
  await stops.fill(`06:30 Pool ${from}\n08:00 Terminal Leuwipanjang`);
  await page.getByRole("button", { name: "Simpan perjalanan" }).click();
  await expect(page.getByRole("alert")).toContainText("06:00");
  await stops.fill(`06:00 Pool ${from}\n07.10 Agen Padalarang\n08:00 Terminal Leuwipanjang`);
  await page.getByRole("button", { name: "Simpan perjalanan" }).click();
  await page.getByRole("link", { name: "Buka" }).click();
  await hydrated(page);
  await expect(page.getByLabel("Titik naik dan turun (boleh kosong)")).toHaveValue(`06:00 Pool ${from}\n07:10 Agen Padalarang\n08:00 Terminal Leuwipanjang`);

  // The passenger's page, in English.
  const id = page.url().split("/").pop();
  await page.goto("/lang/en");
  await page.goto(`/trips/${id}`);
  await expect(page.getByTestId("stops")).toHaveText(`06:00 Pool ${from}07:10 Agen Padalarang08:00 Terminal Leuwipanjang`);
  await hydrated(page);
  await seat(page, "1A").click();
  await expect(page.getByLabel("Get on at")).toHaveValue(`Pool ${from}`);
  await expect(page.getByLabel("Get off at")).toHaveValue("Terminal Leuwipanjang");
  await lookAndScan(page, "stops-trip-en");
  await page.getByRole("button", { name: "Release all seats" }).click();
  await page.goto("/lang/id");
});

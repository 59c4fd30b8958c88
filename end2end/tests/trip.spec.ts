import { test, expect } from "@playwright/test";
import { createTrip, hydrated, lookAndScan, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

test("search, pick seats, leave contact, get the claim code and the WhatsApp link", async ({ page, request }) => {
  const trip = await createTrip(request, "EXECUTIVE");
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Dari").fill(trip.from);
  await page.getByRole("button", { name: "Cari" }).click();
  await expect(page.getByTestId("trip-card")).toHaveCount(1);
  await page.getByTestId("trip-card").getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/trips/${trip.id}$`));
  await hydrated(page);

  await seat(page, "1A").click();
  await expect(seat(page, "1A")).toHaveAttribute("data-status", "MINE");
  await expect(seat(page, "1A")).toHaveAttribute("aria-label", "Kursi 1A, pilihan Anda");
  await seat(page, "1B").click();
  await expect(page.getByTestId("my-seats")).toHaveText("1A, 1B");
  await expect(page.getByTestId("total")).toHaveText("Rp 350.000");
  await expect(page.getByTestId("countdown")).toHaveText(/^(10:00|9:5\d)$/);

  // Validation as the passenger types, with the server's own parsers.
  await page.getByLabel("Nomor WhatsApp").fill("12");
  await expect(page.locator("#contact-wa-error")).toContainText("0812 3456 7890");
  await page.getByLabel("Nama", { exact: true }).fill("Budi Santoso");
  await page.getByLabel("Nomor WhatsApp").fill("0812 3456 7890");
  await expect(page.locator("#contact-wa-error")).toHaveText("");
  // A name per seat: the first seat follows the contact person until typed
  // over; every seat needs one.
  await expect(page.getByRole("group", { name: "Nama penumpang per kursi" })).toBeVisible();
  await expect(page.locator("#seat-name-1A")).toHaveValue("Budi Santoso");
  await page.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  await expect(page.locator("#seat-name-1B-error")).toHaveText("Isi nama penumpang kursi ini.");
  await expect(page.locator("#seat-name-1B")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("claim-code")).toHaveCount(0);
  await page.locator("#seat-name-1B").fill("Siti Rahma");
  await page.getByRole("button", { name: "Lanjut ke pembayaran" }).click();

  const code = page.getByTestId("claim-code");
  await expect(code).toHaveText(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const link = page.getByTestId("whatsapp-link");
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^https:\/\/wa\.me\/6281299990000\?text=/);
  expect(decodeURIComponent(href!.split("text=")[1])).toContain((await code.textContent())!);
  await expect(page.getByText("+6281299990000")).toBeVisible();
  await expect(page.getByTestId("passengers")).toHaveText("1A Budi Santoso1B Siti Rahma");
  expect(decodeURIComponent(href!.split("text=")[1])).toContain("1A (Budi Santoso), 1B (Siti Rahma)");

  // The exact amount to transfer: the seats' price plus the unique code in
  // its last three digits, in the total and in the WhatsApp message; the
  // button copies its digits.
  const amount = page.getByTestId("amount-due");
  await expect(amount).toHaveText(/^Rp 350\.\d{3}$/);
  const shown = (await amount.textContent())!;
  expect(shown).not.toBe("Rp 350.000");
  await expect(page.getByTestId("total")).toHaveText(shown);
  expect(decodeURIComponent(href!.split("text=")[1])).toContain(shown);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByTestId("copy-amount").click();
  await expect(page.getByTestId("copy-amount")).toHaveText("Jumlah tersalin");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown.replace(/\D/g, ""));
  await lookAndScan(page, "trip-contact");
});

test("two passengers at once: a held seat shows as taken within a second and frees again", async ({ browser, request }) => {
  const trip = await createTrip(request);
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await a.goto(`/trips/${trip.id}`);
  await b.goto(`/trips/${trip.id}`);
  await hydrated(a);
  await hydrated(b);

  await seat(a, "3C").click();
  await expect(seat(a, "3C")).toHaveAttribute("data-status", "MINE");
  await expect(seat(b, "3C")).toHaveAttribute("data-status", "HOLD", { timeout: 1000 });
  await expect(seat(b, "3C")).toHaveAttribute("aria-label", "Kursi 3C, ditahan penumpang lain");

  await seat(b, "3C").click();
  await expect(b.getByRole("status")).toContainText("sedang ditahan penumpang lain");
  await expect(seat(b, "3C")).toHaveAttribute("data-status", "HOLD");

  await seat(a, "3C").click();
  await expect(seat(a, "3C")).toHaveAttribute("data-status", "AVAILABLE");
  await expect(seat(b, "3C")).toHaveAttribute("data-status", "AVAILABLE", { timeout: 1000 });
  await seat(b, "3C").click();
  await expect(seat(b, "3C")).toHaveAttribute("data-status", "MINE");
  await expect(seat(a, "3C")).toHaveAttribute("data-status", "HOLD", { timeout: 1000 });
});

test("the clicking page takes its map from its click's answer, not from a second fetch", async ({ browser, request }) => {
  const trip = await createTrip(request);
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  // Every seat-map fetch page A makes, from its first load on.
  let fetches = 0;
  a.on("request", (r) => {
    if (r.url().includes("/sf/seat_map")) fetches += 1;
  });
  await a.goto(`/trips/${trip.id}`);
  await b.goto(`/trips/${trip.id}`);
  await hydrated(a);
  await hydrated(b);

  // A's own changes: each reaches B (so its live event went out), and A
  // shows them from the answer to its click.
  await seat(a, "2A").click();
  await expect(seat(a, "2A")).toHaveAttribute("data-status", "MINE");
  await expect(seat(b, "2A")).toHaveAttribute("data-status", "HOLD", { timeout: 1000 });
  await seat(a, "2A").click();
  await expect(seat(a, "2A")).toHaveAttribute("data-status", "AVAILABLE");
  await expect(seat(b, "2A")).toHaveAttribute("data-status", "AVAILABLE", { timeout: 1000 });

  // B's change comes after A's on the same stream: once A shows it, A has
  // handled its own events too.
  await seat(b, "5D").click();
  await expect(seat(b, "5D")).toHaveAttribute("data-status", "MINE");
  await expect(seat(a, "5D")).toHaveAttribute("data-status", "HOLD", { timeout: 1000 });
  // One fetch when the stream opened ("ready"), one for B's change; none
  // for A's own two.
  expect(fetches).toBe(2);
});

test("the seat map works from the keyboard", async ({ page, request }) => {
  const trip = await createTrip(request, "SLEEPER");
  await page.goto(`/trips/${trip.id}`);
  await hydrated(page);
  await seat(page, "1A").focus();
  await page.keyboard.press("ArrowRight");
  await expect(seat(page, "1B")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(seat(page, "2B")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(seat(page, "2B")).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("End");
  await expect(seat(page, "11B")).toBeFocused();
  // One tab stop for the whole map.
  await expect(page.locator('[data-seat][tabindex="0"]')).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Dek atas" })).toBeVisible();
  await lookAndScan(page, "trip-sleeper");
});

test("the seat map reads without JavaScript", async ({ browser, request }) => {
  const trip = await createTrip(request);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto(`/trips/${trip.id}`);
  expect(res?.status()).toBe(200);
  await expect(page.locator("[data-seat]")).toHaveCount(40);
  await expect(seat(page, "10D")).toHaveAttribute("aria-label", "Kursi 10D, tersedia");
  await context.close();
});

test("an unknown trip is a 404", async ({ page }) => {
  const res = await page.goto("/trips/987654");
  expect(res?.status()).toBe(404);
});

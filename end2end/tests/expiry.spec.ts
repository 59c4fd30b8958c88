import { test, expect } from "@playwright/test";
import { createTrip, hydrated, lookAndScan, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

// These journeys run against a second server whose holds last 12 seconds
// (HOLD_MINUTES=0.2), started by scripts/test.sh as SHORT_BASE_URL.
// Run outside scripts/test.sh, it fails loudly rather than passing vacuously.
const short = process.env.SHORT_BASE_URL ?? "http://127.0.0.1:1";
test.use({ baseURL: short });

test("the hold warns, extends once, then expires and the seats go back to everyone", async ({ browser, request }) => {
  test.setTimeout(60_000);
  const trip = await createTrip(request);
  const page = await (await browser.newContext()).newPage();
  const other = await (await browser.newContext()).newPage();
  await page.goto(`/trips/${trip.id}`);
  await other.goto(`/trips/${trip.id}`);
  await hydrated(page);
  await hydrated(other);

  await seat(page, "2A").click();
  await expect(seat(page, "2A")).toHaveAttribute("data-status", "MINE");
  await expect(seat(other, "2A")).toHaveAttribute("data-status", "HOLD");

  // Less than two minutes are left from the start: the page warns (as an
  // alert, for screen readers too) and offers the one extension.
  const warning = page.getByRole("alert").filter({ hasText: "Waktu hampir habis" });
  await expect(warning).toBeVisible();
  await page.getByRole("button", { name: "Tambah waktu" }).click();
  await expect(page.getByRole("status")).toContainText("Waktu ditambah");
  await expect(page.getByRole("button", { name: "Tambah waktu" })).toHaveCount(0);
  await lookAndScan(page, "trip-warning");

  // Then time runs out (the extension added one more hold, so up to 24 s
  // are left): the page says so and the seat is free for everyone.
  await expect(page.getByRole("status")).toContainText("Waktu habis", { timeout: 30_000 });
  await expect(seat(page, "2A")).toHaveAttribute("data-status", "AVAILABLE");
  await expect(seat(other, "2A")).toHaveAttribute("data-status", "AVAILABLE", { timeout: 5_000 });
});

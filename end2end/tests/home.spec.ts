import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";
import { closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

const shots = "screenshots";

test.beforeAll(() => fs.mkdirSync(shots, { recursive: true }));

test("the home page lists the demo trips, rendered on the server", async ({ request }) => {
  // Plain HTTP, no browser: the list is in the first HTML response.
  const res = await request.get("/");
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain("Jakarta");
  expect(html).toContain("Bandung");
  expect(html).toContain("Rp 150.000");
  expect(html).toContain('lang="id"');
});

test("a passenger sees every bus type with price, time and seats left", async ({ page }) => {
  await page.goto("/");
  const cards = page.getByTestId("trip-card");
  // The six demo trips (other tests may add their own trips meanwhile).
  for (const route of ["Jakarta → Bandung", "Jakarta → Yogyakarta", "Jakarta → Surabaya", "Bandung → Jakarta", "Yogyakarta → Malang", "Surabaya → Denpasar"]) {
    await expect(cards.filter({ hasText: route })).toHaveCount(1);
  }
  const bandung = cards.filter({ hasText: "Bandung" }).first();
  await expect(bandung).toContainText("Rp 150.000");
  await expect(bandung).toContainText("40 kursi tersisa");
  await expect(bandung).toContainText("WIB");
  await expect(page.getByText("Ekonomi · 2-2").first()).toBeVisible();
  await expect(page.getByText("Eksekutif · 2-1").first()).toBeVisible();
  await expect(page.getByText("Sleeper · 2 dek").first()).toBeVisible();
});

test("the page hydrates: the swap button trades origin and destination", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const from = page.getByLabel("Dari");
  const to = page.getByLabel("Ke", { exact: true });
  await from.fill("Jakarta");
  await to.fill("Surabaya");
  const swap = page.getByTestId("swap");
  await expect(swap).toBeEnabled();
  await swap.click();
  await expect(from).toHaveValue("Surabaya");
  await expect(to).toHaveValue("Jakarta");
});

test("searching by origin and destination narrows the list, also without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Dari").fill("jakarta");
  await page.getByLabel("Ke", { exact: true }).fill("surabaya");
  await page.getByRole("button", { name: "Cari" }).click();
  await expect(page).toHaveURL(/from=jakarta/);
  const cards = page.getByTestId("trip-card");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Surabaya");
  await context.close();
});

test("a search with no match says so", async ({ page }) => {
  await page.goto("/?from=Medan");
  await expect(page.getByRole("status")).toContainText("Tidak ada keberangkatan");
});

test("English is one click away and the choice persists", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where to?");
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where to?");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("the home page has no serious accessibility violations, phone and desktop", async ({ page }) => {
  for (const [name, size] of [
    ["phone", { width: 360, height: 780 }],
    ["desktop", { width: 1280, height: 900 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.goto("/");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.screenshot({ path: `${shots}/home-${name}.png`, fullPage: true });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
});

test("an unknown page is a 404 with a way back", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Lihat jadwal" })).toBeVisible();
});

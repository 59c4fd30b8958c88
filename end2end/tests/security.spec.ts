import { test, expect, type Page, type BrowserContext } from "@playwright/test";
import { ADMIN_KEY, createTrip, hydrated, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

// The attacks of the security review, in a real browser: pages on another
// site (`localhost` is another site than `127.0.0.1`, and a local one, so
// the browser's own local-network rules do not stop the request before it
// reaches Kursi) and on another port of this host (same site, so
// SameSite=Strict cookies go along) try to change state through the server
// functions. Playwright serves those pages itself (context.route), so the
// browser sends exactly what it would send from a real attacker.

const STAFF_PASSWORD = process.env.ADMIN_PASSWORD ?? "e2e-password-123";

/** Serves `html` at every URL of `origin` inside this browser context. */
async function attackerPage(context: BrowserContext, origin: string, html: string) {
  await context.route(
    (url) => url.origin === origin,
    (route) => route.fulfill({ status: 200, contentType: "text/html", body: html }),
  );
}

/** A passenger of its own (API, own cookie jar) holding `seats` with contact. */
async function attackerHold(page: Page, tripId: number, seats: string[]) {
  const ctx = page.request;
  const hold = await ctx.post("/api/seats/hold/", { data: { trip_id: tripId, seats } });
  expect(hold.status()).toBe(200);
  const contact = await ctx.post("/api/hold/attach-contact/", {
    data: { name: "Penyerang", whatsapp: "081377778888" },
  });
  expect(contact.status()).toBe(200);
  return (await contact.json()).claim_code as string;
}

/** The same host on another port. */
function otherPort(base: string): string {
  const u = new URL(base);
  u.port = u.port === "3139" ? "3140" : "3139";
  return u.origin;
}

/** Another site: `localhost` instead of `127.0.0.1` (not in CORS_ORIGINS). */
function otherSite(base: string): string {
  const u = new URL(otherPort(base));
  u.hostname = "localhost";
  return u.origin;
}

test("a page on another site cannot swap the passenger's hold or hold seats for them", async ({ browser, baseURL }) => {
  const trip = await createTrip((await browser.newContext()).request);
  // The attacker's own hold, whose claim code the evil page will post.
  const attacker = await (await browser.newContext({ baseURL })).newPage();
  const attackerCode = await attackerHold(attacker, trip.id, ["9A"]);

  // The victim holds a seat in their browser.
  const victim = await browser.newContext({ baseURL });
  const page = await victim.newPage();
  await page.goto(`/trips/${trip.id}`);
  await hydrated(page);
  await seat(page, "1A").click();
  await expect(seat(page, "1A")).toHaveAttribute("data-status", "MINE");

  // Then visits the attacker's page, which auto-posts a claim form to
  // Kursi and fires a no-cors text/plain fetch at the seat map's endpoint.
  const evil = otherSite(baseURL!);
  await attackerPage(
    victim,
    evil,
    `<!doctype html><title>win a prize</title>
     <form id="f" method="post" action="${baseURL}/sf/claim_hold">
       <input name="claim_code" value="${attackerCode}">
     </form>
     <script>
       fetch("${baseURL}/sf/toggle_seat", { method: "POST", mode: "no-cors", credentials: "include",
         headers: { "content-type": "text/plain" },
         body: JSON.stringify({ trip_id: ${trip.id}, seat: "5C", hold: true }) });
       setTimeout(() => document.getElementById("f").submit(), 300);
     </script>`,
  );
  const refused = page.waitForResponse((r) => r.url().endsWith("/sf/claim_hold"));
  await page.goto(`${evil}/prize`);
  const answer = await refused;
  expect(answer.status()).toBe(403);
  expect(await answer.headerValue("set-cookie")).toBeNull();
  // The browser has landed on the refusal before we go back.
  await expect(page).toHaveURL(/\/sf\/claim_hold$/);
  await expect(page.locator("body")).toContainText("forbidden");

  // The victim's hold is still theirs, and nobody holds 5C.
  await page.goto(`/trips/${trip.id}`);
  await hydrated(page);
  await expect(seat(page, "1A")).toHaveAttribute("data-status", "MINE");
  await expect(seat(page, "9A")).toHaveAttribute("data-status", "HOLD");
  await expect(seat(page, "5C")).toHaveAttribute("data-status", "AVAILABLE");
});

test("a page on another port of this host cannot act with the admin's cookie", async ({ browser, baseURL }) => {
  const trip = await createTrip((await browser.newContext()).request);
  const passenger = await (await browser.newContext({ baseURL })).newPage();
  const code = await attackerHold(passenger, trip.id, ["3B"]);

  // The admin signs in (SameSite=Strict cookie).
  const admin = await browser.newContext({ baseURL });
  const page = await admin.newPage();
  await page.goto("/admin/login");
  await hydrated(page);
  await page.getByLabel("Nama pengguna").fill("admin");
  await page.getByLabel("Kata sandi").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "Masuk", exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);

  // A page on another port: same site, so the staff cookie is sent.
  const evil = otherPort(baseURL!);
  await attackerPage(
    admin,
    evil,
    `<!doctype html><title>hi</title><script>
       window.results = Promise.all([
         fetch("${baseURL}/sf/admin_release", { method: "POST", credentials: "include",
           headers: { "content-type": "application/x-www-form-urlencoded" },
           body: "claim_code=${code}" }).then((r) => r.status, () => "blocked"),
         fetch("${baseURL}/sf/staff_logout", { method: "POST", credentials: "include",
           headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" })
           .then((r) => r.status, () => "blocked"),
       ]);
     </script>`,
  );
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/sf/")) sent.push(new URL(r.url()).pathname);
  });
  await page.goto(`${evil}/`);
  // The page's script has run both calls (their answers carry no CORS
  // headers, so the script cannot read them: "blocked").
  await page.evaluate(() => (window as unknown as { results: Promise<unknown> }).results);
  expect(sent.sort()).toEqual(["/sf/admin_release", "/sf/staff_logout"]);

  // The hold is untouched and the admin is still signed in.
  const holds = await page.request.get(`${baseURL}/api/admin/holds/?q=${code}`, {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
  });
  const [hold] = await holds.json();
  expect(hold.status).toBe("HELD");
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin$/);
});

test("a trip named like markup shows as text, and pages run only their own script", async ({ page, request }) => {
  const evil = "</title><script>window.pwned=1</script>";
  const res = await request.post("/api/admin/trips/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: {
      route_from: evil,
      route_to: "Bandung",
      depart_at: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString(),
      price: 150000,
      bus_type: "ECONOMY",
      admin_wa: "081299990000",
    },
  });
  expect(res.status()).toBe(200);
  const trip = await res.json();
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`/trips/${trip.id}`);
  await hydrated(page);
  expect(await page.title()).toBe(`${evil} → Bandung · Kursi`);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  // Hydration and a hold work under the policy, with no violation.
  await seat(page, "1A").click();
  await expect(seat(page, "1A")).toHaveAttribute("data-status", "MINE");
  expect(violations).toEqual([]);
});

// The people settings in real headless Chromium: an admin invites an agent with a password made
// in the browser and that agent can sign in with it; disabling refuses them and enabling lets
// them back; a role changed in the browser is the person's role at their next sign-in; a password
// reset refuses the old password; a team is created, renamed, given a member and deleted; a
// viewer reads the agents but cannot change anything. The demo tenant is shared by the run:
// people made here have unique emails and are disabled afterwards (there is no deleting an
// account), and the team is deleted.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Team } from "../../schema/shapes";
import type { AgentAnswer, AgentList } from "../worker/answers";
import { baseUrl } from "./browser";
import { hasText, loggedIn, uid, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, type ApiCall } from "./routing-helpers";

const chromium = useBrowser();

/** The status of a login over the API (not the browser form): 200 signed in, 401 refused. */
async function loginStatus(email: string, password: string): Promise<number> {
  const res = await fetch(`${baseUrl()}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  await res.body?.cancel();
  return res.status;
}

const agentRow = (page: Page, email: string) => page.getByRole("row").filter({ hasText: email });
const dialogButton = (page: Page, name: string) =>
  page.getByRole("dialog").getByRole("button", { name, exact: true });

/** Disables the account made by the test once it ends, whatever happened. */
function disableAfterwards(admin: ApiCall, email: string): void {
  onTestFinished(async () => {
    const { agents } = await admin<AgentList>("GET", "/api/admin/agents");
    const agent = agents.find((a) => a.email === email);
    if (agent && !agent.disabled) {
      await admin("PATCH", `/api/admin/agents/${agent.id}`, { disabled: true });
    }
  });
}

async function agentsPage(email: string): Promise<Page> {
  const { page } = await loggedIn(chromium.browser, email);
  await page.goto("/settings/agents");
  await page.getByRole("heading", { name: "Agents" }).waitFor();
  await agentRow(page, "alice@demo.test").waitFor();
  return page;
}

describe("settings: agents and teams", () => {
  it("an admin invites an agent with a generated password, then disables and enables them", async () => {
    const admin = await apiSession("admin@demo.test");
    const tag = uid();
    const name = `Invited ${tag}`;
    const email = `invited-${tag}@demo.test`;
    disableAfterwards(admin, email);
    const page = await agentsPage("admin@demo.test");
    // Who is online: the admin's own page is open; nobody has the new agent's inbox open.
    await expect
      .poll(() => agentRow(page, "admin@demo.test").textContent(), { timeout: WAIT_MS })
      .toMatch(/(Online|Away) · \d+\/\d+ active/);

    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Email", { exact: true }).fill(email);
    expect(await page.getByRole("radio", { name: /^Generate a password/ }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const shown = page.getByTestId("one-time-password");
    await shown.waitFor();
    const password = ((await shown.textContent()) ?? "").trim();
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await page.getByRole("button", { name: "Copy" }).count()).toBe(1);
    expect(await loginStatus(email, password)).toBe(200);
    await expect
      .poll(() => agentRow(page, email).textContent(), { timeout: WAIT_MS })
      .toContain("Offline");
    const invited = (await admin<AgentList>("GET", "/api/admin/agents")).agents.find(
      (a) => a.email === email,
    );
    expect(invited).toMatchObject({ name, role: "agent", disabled: false, capacity: 3 });

    // The same email again: the API's message shows next to the field.
    await page.getByLabel("Name", { exact: true }).fill(`${name} again`);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await expect
      .poll(() => page.locator("#email-error").textContent(), { timeout: WAIT_MS })
      .toBe("already in use");
    expect(await page.getByLabel("Email", { exact: true }).getAttribute("aria-invalid")).toBe(
      "true",
    );

    // Disabling asks first; afterwards the password is refused.
    await page.getByRole("button", { name: `Disable ${name}`, exact: true }).click();
    await dialogButton(page, "Disable account").click();
    await hasText(agentRow(page, email).getByText(/^(Active|Disabled)$/), "Disabled");
    expect(await loginStatus(email, password)).toBe(401);

    await page.getByRole("button", { name: `Enable ${name}`, exact: true }).click();
    await dialogButton(page, "Enable account").click();
    await hasText(agentRow(page, email).getByText(/^(Active|Disabled)$/), "Active");
    expect(await loginStatus(email, password)).toBe(200);
    // One's own row offers neither.
    const own = agentRow(page, "admin@demo.test");
    expect(await own.getByRole("button", { name: /^(Disable|Enable|Reset)/ }).count()).toBe(0);
  });

  it("an admin changes an agent's role: the API and the person's own session follow", async () => {
    const admin = await apiSession("admin@demo.test");
    const tag = uid();
    const name = `Promoted ${tag}`;
    const email = `promoted-${tag}@demo.test`;
    const password = `pw-${tag}-long-enough`;
    disableAfterwards(admin, email);
    await admin("POST", "/api/admin/agents", { name, email, role: "agent", password });
    const page = await agentsPage("admin@demo.test");
    const role = page.getByLabel(`Role of ${name}`, { exact: true });
    await role.waitFor();
    expect(await role.inputValue()).toBe("agent");

    await role.selectOption("viewer");
    const roleOf = async () =>
      (await admin<AgentList>("GET", "/api/admin/agents")).agents.find((a) => a.email === email)
        ?.role;
    await expect.poll(roleOf, { timeout: WAIT_MS }).toBe("viewer");
    // The person signs in as a viewer now: reading is allowed, acting is not.
    const res = await fetch(`${baseUrl()}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const me = await fetch(`${baseUrl()}/api/me`, { headers: { cookie } });
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe("viewer");
    // After a reload the page shows what was saved.
    await page.reload();
    await expect
      .poll(() => page.getByLabel(`Role of ${name}`, { exact: true }).inputValue(), {
        timeout: WAIT_MS,
      })
      .toBe("viewer");
  });

  it("an admin resets a password: the old one is refused and the new one works", async () => {
    const admin = await apiSession("admin@demo.test");
    const tag = uid();
    const name = `Reset ${tag}`;
    const email = `reset-${tag}@demo.test`;
    const oldPassword = `old-password-${tag}`;
    disableAfterwards(admin, email);
    await admin<AgentAnswer>("POST", "/api/admin/agents", {
      name,
      email,
      role: "agent",
      password: oldPassword,
    });
    const page = await agentsPage("admin@demo.test");
    await page.getByRole("button", { name: `Reset the password of ${name}`, exact: true }).click();
    await dialogButton(page, "Reset password").click();
    const shown = page.getByRole("dialog").getByTestId("one-time-password");
    await shown.waitFor();
    const newPassword = ((await shown.textContent()) ?? "").trim();
    expect(newPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    await dialogButton(page, "Done").click();
    // Shown once: closing the dialog takes it out of the page.
    await expect
      .poll(() => page.getByTestId("one-time-password").count(), { timeout: WAIT_MS })
      .toBe(0);

    expect(await loginStatus(email, oldPassword)).toBe(401);
    expect(await loginStatus(email, newPassword)).toBe(200);
  });

  it("an admin creates a team, renames it, adds Alice, and deletes it", async () => {
    const admin = await apiSession("admin@demo.test");
    const teams = async () => (await admin<{ teams: Team[] }>("GET", "/api/admin/teams")).teams;
    const first = `Team ${uid()}`;
    const renamed = `Renamed ${uid()}`;
    onTestFinished(async () => {
      for (const team of await teams()) {
        if (team.name === first || team.name === renamed) {
          await admin("DELETE", `/api/admin/teams/${team.id}`);
        }
      }
    });
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await page.goto("/settings/teams");
    await page.getByRole("heading", { name: "Teams", exact: true }).waitFor();

    await page.getByLabel("Name", { exact: true }).fill(first);
    // Leaving with the name typed but not created asks first; declining keeps it.
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "Agents", exact: true }).click();
    await expect
      .poll(() => asked, { timeout: WAIT_MS })
      .toEqual(["You have unsaved changes. Leave without saving them?"]);
    expect(new URL(page.url()).pathname).toBe("/settings/teams");
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe(first);
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByRole("heading", { name: first, exact: true }).waitFor();
    const created = (await teams()).find((t) => t.name === first);
    expect(created?.member_ids).toEqual([]);

    // Renaming inline, by keyboard: Enter saves.
    await page.getByRole("button", { name: `Rename ${first}`, exact: true }).click();
    const newName = page.getByLabel(`New name for ${first}`);
    await newName.fill(renamed);
    await newName.press("Enter");
    await page.getByRole("heading", { name: renamed, exact: true }).waitFor();
    await expect
      .poll(async () => (await teams()).find((t) => t.id === created?.id)?.name, {
        timeout: WAIT_MS,
      })
      .toBe(renamed);

    const members = page.getByRole("group", { name: `Members of ${renamed}` });
    expect(await members.getByRole("checkbox", { name: "Victor Viewer" }).count()).toBe(0);
    await members.getByRole("checkbox", { name: "Alice", exact: true }).check();
    await expect
      .poll(async () => (await teams()).find((t) => t.id === created?.id)?.member_ids, {
        timeout: WAIT_MS,
      })
      .toEqual(["u_demo_alice"]);
    const alice = (await admin<AgentList>("GET", "/api/admin/agents")).agents.find(
      (a) => a.email === "alice@demo.test",
    );
    expect(alice?.team_ids).toContain(created?.id);

    await page.getByRole("button", { name: `Delete ${renamed}`, exact: true }).click();
    await dialogButton(page, "Delete team").click();
    await expect
      .poll(async () => (await teams()).some((t) => t.id === created?.id), { timeout: WAIT_MS })
      .toBe(false);
    await expect
      .poll(() => page.getByRole("heading", { name: renamed, exact: true }).count(), {
        timeout: WAIT_MS,
      })
      .toBe(0);
  });

  it("a viewer sees the agents and teams with no control enabled", async () => {
    const page = await agentsPage("viewer@demo.test");
    const section = page.locator("main.settings .section");
    await expect
      .poll(() => agentRow(page, "alice@demo.test").textContent(), { timeout: WAIT_MS })
      .toMatch(/Offline|Online|Away/);
    expect(await section.locator("input:enabled, select:enabled, textarea:enabled").count()).toBe(
      0,
    );
    expect(await section.getByRole("button").count()).toBe(0);
    expect(await section.locator("summary").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Invite" }).count()).toBe(0);

    await page.getByRole("link", { name: "Teams", exact: true }).click();
    await page.getByRole("heading", { name: "Teams", exact: true }).waitFor();
    expect(await section.getByRole("button").count()).toBe(0);
    expect(await section.locator("input, select").count()).toBe(0);
  });
});

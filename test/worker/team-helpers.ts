// Helpers for tests of teams: an admin makes a team over HTTP.
import { json } from "./client";

export interface TestTeam {
  id: string;
  name: string;
  member_ids: string[];
}

/** An admin (by cookie) makes a team with these members; asserts 201 and returns it. */
export async function makeTeam(
  cookie: string,
  name: string,
  memberIds: string[],
): Promise<TestTeam> {
  return (
    await json<{ team: TestTeam }>("/api/admin/teams", {
      cookie,
      body: { name, member_ids: memberIds },
      status: 201,
    })
  ).team;
}

import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { assertSameOrigin, endSession } from "~/lib/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return redirect("/login", { headers: { "Set-Cookie": endSession(request) } });
}

export function loader() {
  return redirect("/login");
}

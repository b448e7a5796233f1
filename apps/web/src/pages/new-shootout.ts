import { shootoutForm } from "../components/shootout-form.ts";
import { h } from "../lib/dom.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

/** A new shootout: saved, then rendered at once (the job page follows it). */
export const newShootoutPage: PageFactory = ({ navigate }) => {
  const form = shootoutForm({
    label: "New shootout",
    submitLabel: "Create and render",
    initial: null,
    async submit(input) {
      const shootout = await api.shootouts.create.mutate(input);
      const job = await api.jobs.create.mutate({ shootoutId: shootout.id });
      navigate(`/jobs/${job.id}`);
    },
  });
  return { title: "New shootout", element: h("section", null, h("h1", null, "New shootout"), form) };
};

import { beforeEach, describe, expect, it } from "vitest";
import { currentView, deleteView, loadViews, saveView } from "./saved-views";

beforeEach(() => localStorage.clear());

describe("saved host views", () => {
  it("saves the filters under a name (not the page), finds the view matching the URL, deletes it", () => {
    saveView("broken web", { search: "web", health_status: "unreachable", offset: 100 });
    expect(loadViews()).toEqual({ "broken web": { search: "web", health_status: "unreachable", offset: 0 } });
    expect(currentView(loadViews(), { health_status: "unreachable", search: "web", offset: 50 })).toBe("broken web");
    expect(currentView(loadViews(), { search: "web", offset: 0 })).toBeUndefined();
    expect(deleteView("broken web")).toEqual({});
  });

  it("ignores junk in storage instead of failing the page", () => {
    localStorage.setItem("fleetgate-host-views", "{not json");
    expect(loadViews()).toEqual({});
    localStorage.setItem("fleetgate-host-views", JSON.stringify({ x: { health_status: "nope" } }));
    expect(loadViews()).toEqual({ x: { offset: 0 } });
  });
});

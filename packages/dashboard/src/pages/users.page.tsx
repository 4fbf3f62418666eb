import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { useUser } from "../auth/use-session";
import { Confirm } from "../ui/confirm";
import { Dialog } from "../ui/dialog";
import { ErrorState, fmtTime, messageOf, QueryView } from "../ui/states";

type Role = "admin" | "operator" | "reporter";

/** Users (admins): create, role, enable/disable, reset password, reset MFA, revoke sessions, delete. */
export function UsersPage() {
  const me = useUser();
  const qc = useQueryClient();
  const [filter, setFilter] = useState("");
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({
    username: "",
    display_name: "",
    email: "",
    role: "operator" as Role,
    password: "",
  });
  const [resetFor, setResetFor] = useState<{ id: string; name: string } | undefined>();
  const [newPassword, setNewPassword] = useState("");
  const [deleting, setDeleting] = useState<{ id: string; name: string } | undefined>();
  const [notice, setNotice] = useState<string>();
  const q = useQuery({ queryKey: ["users"], queryFn: () => ok(api.GET("/users")) });
  const refresh = () => void qc.invalidateQueries({ queryKey: ["users"] });
  const act = useMutation({
    mutationFn: async (fn: () => Promise<string>) => fn(),
    onSuccess: (msg) => {
      setNotice(msg);
      refresh();
    },
    onError: (e) => setNotice(messageOf(e)),
  });
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/users", {
          body: { ...form, display_name: form.display_name || form.username },
        }),
      ),
    onSuccess: () => {
      setCreating(false);
      setForm({ username: "", display_name: "", email: "", role: "operator", password: "" });
      refresh();
    },
  });
  const update = (id: string, body: { role?: Role; is_active?: boolean }) =>
    act.mutate(async () => {
      await done(api.PUT("/users/{id}", { params: { path: { id } }, body }));
      return "User updated.";
    });
  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New user
        </button>
      </div>
      <div className="toolbar">
        <label>
          Filter
          <input data-page-search type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      {notice && (
        <div className="alert info" role="status">
          {notice}
        </div>
      )}
      <QueryView q={q} isEmpty={(d) => d.length === 0} empty="No users.">
        {(rows) => (
          <table className="data">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">MFA</th>
                <th scope="col">Active</th>
                <th scope="col">Last login</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows
                .filter((u) =>
                  `${u.username} ${u.display_name} ${u.email ?? ""}`.toLowerCase().includes(filter.toLowerCase()),
                )
                .map((u) => (
                  <tr key={u.id}>
                    <td>
                      {u.username} <span className="hint">{u.display_name}</span>
                    </td>
                    <td>
                      <select
                        aria-label={`Role of ${u.username}`}
                        value={u.role}
                        disabled={u.id === me.id}
                        onChange={(e) => update(u.id, { role: e.target.value as Role })}
                      >
                        <option value="admin">admin</option>
                        <option value="operator">operator</option>
                        <option value="reporter">reporter</option>
                      </select>
                    </td>
                    <td>
                      {u.mfa_enabled ? "on" : "off"}{" "}
                      {u.mfa_enabled && (
                        <button
                          type="button"
                          onClick={() =>
                            act.mutate(async () => {
                              await done(api.DELETE("/users/{id}/mfa", { params: { path: { id: u.id } } }));
                              return `MFA reset for ${u.username}.`;
                            })
                          }
                        >
                          Reset MFA
                        </button>
                      )}
                    </td>
                    <td>
                      <label className="inline">
                        <input
                          type="checkbox"
                          checked={u.is_active}
                          disabled={u.id === me.id}
                          onChange={(e) => update(u.id, { is_active: e.target.checked })}
                        />
                        <span className="visually-hidden">Active: {u.username}</span>
                      </label>
                    </td>
                    <td>{fmtTime(u.last_login_at)}</td>
                    <td>
                      <button type="button" onClick={() => setResetFor({ id: u.id, name: u.username })}>
                        Reset password
                      </button>{" "}
                      <button
                        type="button"
                        onClick={() =>
                          act.mutate(async () => {
                            const r = await ok(api.POST("/users/{id}/revoke", { params: { path: { id: u.id } } }));
                            return `${r.count} session(s) of ${u.username} revoked.`;
                          })
                        }
                      >
                        Revoke sessions
                      </button>{" "}
                      {u.id !== me.id && (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => setDeleting({ id: u.id, name: u.username })}
                        >
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </QueryView>
      <Dialog open={creating} onOpenChange={setCreating} title="New user">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label>
            Username
            <input required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
          </label>
          <label>
            Display name
            <input value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} />
          </label>
          <label>
            Email
            <input
              type="email"
              required
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          </label>
          <label>
            Role
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              <option value="reporter">reporter (read only)</option>
              <option value="operator">operator</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <label>
            Initial password
            <input
              type="password"
              autoComplete="new-password"
              required
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          </label>
          {create.isError && <ErrorState error={create.error} />}
          <div className="actions">
            <button type="submit" className="primary" disabled={create.isPending}>
              Create
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog
        open={resetFor !== undefined}
        onOpenChange={(o) => !o && setResetFor(undefined)}
        title={`Reset password of ${resetFor?.name ?? ""}`}
        description="The user must change it at the next sign-in."
      >
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            const target = resetFor;
            if (!target) return;
            act.mutate(async () => {
              await done(
                api.PUT("/users/{id}/password", {
                  params: { path: { id: target.id } },
                  body: { new_password: newPassword, force_password_reset: true },
                }),
              );
              setResetFor(undefined);
              setNewPassword("");
              return `Password of ${target.name} reset.`;
            });
          }}
        >
          <label>
            New password
            <input
              type="password"
              autoComplete="new-password"
              required
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </label>
          <div className="actions">
            <button type="submit" className="primary">
              Reset
            </button>
          </div>
        </form>
      </Dialog>
      <Confirm
        open={deleting !== undefined}
        onOpenChange={(o) => !o && setDeleting(undefined)}
        title={`Delete ${deleting?.name ?? ""}?`}
        description="Their sessions and tokens stop working."
        action="Delete user"
        onConfirm={() => {
          const target = deleting;
          if (!target) return;
          setDeleting(undefined);
          act.mutate(async () => {
            await done(api.DELETE("/users/{id}", { params: { path: { id: target.id } } }));
            return `${target.name} deleted.`;
          });
        }}
      />
    </>
  );
}

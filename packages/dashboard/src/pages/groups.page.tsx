import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, done, ok } from "../api/client";
import { isAdmin, useUser } from "../auth/use-session";
import { ErrorState, QueryView } from "../ui/states";

/** Groups: list, create, delete, and user membership (hosts join groups on the host page). */
export function GroupsPage() {
  const user = useUser();
  const admin = isAdmin(user);
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [member, setMember] = useState({ group: "", user: "" });
  const q = useQuery({ queryKey: ["groups"], queryFn: () => ok(api.GET("/groups")) });
  const users = useQuery({ queryKey: ["users"], queryFn: () => ok(api.GET("/users")), enabled: admin });
  const refresh = () => void qc.invalidateQueries({ queryKey: ["groups"] });
  const create = useMutation({
    mutationFn: () => ok(api.POST("/groups", { body: { name: name.trim(), description } })),
    onSuccess: () => {
      setName("");
      setDescription("");
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => done(api.DELETE("/groups/{id}", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const addMember = useMutation({
    mutationFn: () =>
      done(api.POST("/groups/{id}/users/{user_id}", { params: { path: { id: member.group, user_id: member.user } } })),
    onSuccess: refresh,
  });
  return (
    <>
      <div className="page-head">
        <h1>Groups</h1>
      </div>
      {admin && (
        <form
          className="toolbar card"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create group
          </button>
        </form>
      )}
      {create.isError && <ErrorState error={create.error} />}
      <QueryView q={q} isEmpty={(d) => d.length === 0} empty="No groups yet.">
        {(rows) => (
          <table className="data">
            <caption className="visually-hidden">Groups</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.id}>
                  <td>{g.name}</td>
                  <td>{g.description}</td>
                  <td>
                    {admin && (
                      <button type="button" className="danger" onClick={() => remove.mutate(g.id)}>
                        Delete {g.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      {remove.isError && <ErrorState error={remove.error} />}
      {admin && q.data && users.data && (
        <form
          className="toolbar card"
          onSubmit={(e) => {
            e.preventDefault();
            if (member.group && member.user) addMember.mutate();
          }}
        >
          <label>
            Add user
            <select value={member.user} onChange={(e) => setMember({ ...member, user: e.target.value })}>
              <option value="">Choose…</option>
              {users.data.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          </label>
          <label>
            to group
            <select value={member.group} onChange={(e) => setMember({ ...member, group: e.target.value })}>
              <option value="">Choose…</option>
              {q.data.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Add member</button>
          {addMember.isSuccess && <span role="status">Added.</span>}
          {addMember.isError && <ErrorState error={addMember.error} />}
        </form>
      )}
    </>
  );
}

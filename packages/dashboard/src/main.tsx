import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { isFinal } from "./api/client";
import { router } from "./router";
import { applyTheme } from "./theme/theme";
import "./styles.css";

applyTheme();

// The dashboard lives under /app; a navigation to / (served the SPA for Accept: text/html) lands there.
if (!window.location.pathname.startsWith("/app")) window.history.replaceState(null, "", "/app/");

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // 4xx answers are final; retry only what may be transient.
      retry: (n, err) => n < 2 && !isFinal(err),
    },
  },
});

const el = document.getElementById("root");
if (el) {
  createRoot(el).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}

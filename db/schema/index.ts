export * from "./access";
export * from "./telemetry";
export * from "./projections";

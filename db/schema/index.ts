export * from "./access";
export * from "./telemetry";
export * from "./projections";
export * from "./exceptions";
export * from "./close";
export * from "./settings";
export * from "./outbox";
export * from "./corrections";

"use client";

import { segmentError } from "@/components/ui/route-error";

export default segmentError("overview");

import { Request } from "express";
import { verify } from "jsonwebtoken";
import { config } from "../config";

export interface SessionUser {
  id: string;
  email: string;
  roles: string[];
}

export interface Session {
  token: string;
  user: SessionUser;
  expiresAt: number;
}

export function sessionFrom(req: Request): Session {
  return (req as Request & { session: Session }).session;
}

export function isExpired(session: Session, now: number): boolean {
  return session.expiresAt <= now;
}

export function currentUserId(req: Request): string {
  const session = sessionFrom(req);
  return session.user.id;
}

export function hasRole(req: Request, role: string): boolean {
  const session = sessionFrom(req);
  return session.user.roles.includes(role);
}

export function decode(token: string): Session {
  return verify(token, config.jwtSecret) as Session;
}

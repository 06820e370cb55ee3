/**
 * The one place that loads dcmjs-dimse (a webpack-built CommonJS bundle with hand-written typings).
 * Loaded with require, its own `index.d.ts` gives the types, and its logger is silenced: it logs
 * every association and command at info level (calling AE titles, UIDs), which we report ourselves.
 */
import { createRequire } from 'node:module';
import type * as DcmjsDimseModule from 'dcmjs-dimse';

type DcmjsDimse = typeof DcmjsDimseModule;

const require = createRequire(import.meta.url);
const dimse = require('dcmjs-dimse') as DcmjsDimse;
dimse.log.setLevel('silent');

export const { Scp, Implementation } = dimse;
export const { CEchoResponse } = dimse.responses;
export const { CFindResponse, CMoveResponse, CGetResponse } = dimse.responses;
export const { CFindRequest: CFindRequestClass } = dimse.requests;
export const {
  PresentationContextResult,
  RejectResult,
  RejectSource,
  RejectReason,
  AbortSource,
  AbortReason,
} = dimse.constants;
export const DimseStatus = dimse.constants.Status;
export const VERIFICATION_SOP_CLASS = dimse.constants.SopClass.Verification;

export type Association = InstanceType<DcmjsDimse['association']['Association']>;
export type PresentationContext = InstanceType<DcmjsDimse['association']['PresentationContext']>;
export type CEchoRequest = InstanceType<DcmjsDimse['requests']['CEchoRequest']>;
export type CEchoResponseType = InstanceType<DcmjsDimse['responses']['CEchoResponse']>;
export type CFindRequest = InstanceType<DcmjsDimse['requests']['CFindRequest']>;
export type CFindResponseType = InstanceType<DcmjsDimse['responses']['CFindResponse']>;
export type CMoveRequest = InstanceType<DcmjsDimse['requests']['CMoveRequest']>;
export type CGetRequest = InstanceType<DcmjsDimse['requests']['CGetRequest']>;
export type CMoveResponseType = InstanceType<DcmjsDimse['responses']['CMoveResponse']>;
export type CGetResponseType = InstanceType<DcmjsDimse['responses']['CGetResponse']>;
export type CCancelRequest = InstanceType<DcmjsDimse['requests']['CCancelRequest']>;
export type DimseDataset = InstanceType<DcmjsDimse['Dataset']>;
export const DimseDatasetClass = dimse.Dataset;

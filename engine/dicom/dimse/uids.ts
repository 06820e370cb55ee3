/**
 * The transfer syntaxes and storage SOP classes our C-STORE SCP accepts. Objects are stored as
 * received, never transcoded, so every transfer syntax here is only a label we keep; accepting one
 * costs nothing. Storage SOP classes: a table from DICOM PS3.4 Annex B.5 (current and common retired
 * ones), plus anything under the storage root 1.2.840.10008.5.1.4.1.1, where the standard puts
 * nearly all of them.
 */

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  JpegExtended: '1.2.840.10008.1.2.4.51',
  JpegLosslessProcess14: '1.2.840.10008.1.2.4.57',
  JpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  JpegLsLossless: '1.2.840.10008.1.2.4.80',
  JpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  Jpeg2000: '1.2.840.10008.1.2.4.91',
  RleLossless: '1.2.840.10008.1.2.5',
} as const;

/** Accepted for storage. Explicit VR Big Endian (retired) is accepted only when nothing else in the context is. */
export const STORAGE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

/** Verification (C-ECHO) only ever needs the default transfer syntax and its explicit sibling. */
export const VERIFICATION_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';

/** Storage SOP classes outside STORAGE_ROOT, and the common ones under it (for readability and tests). */
const STORAGE_SOP_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.1.1', // Computed Radiography Image
  '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray Image, for presentation
  '1.2.840.10008.5.1.4.1.1.1.1.1', // Digital X-Ray Image, for processing
  '1.2.840.10008.5.1.4.1.1.1.2', // Digital Mammography X-Ray, for presentation
  '1.2.840.10008.5.1.4.1.1.1.2.1', // Digital Mammography X-Ray, for processing
  '1.2.840.10008.5.1.4.1.1.1.3', // Digital Intra-Oral X-Ray, for presentation
  '1.2.840.10008.5.1.4.1.1.1.3.1', // Digital Intra-Oral X-Ray, for processing
  '1.2.840.10008.5.1.4.1.1.2', // CT Image
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT Image
  '1.2.840.10008.5.1.4.1.1.2.2', // Legacy Converted Enhanced CT Image
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame Image
  '1.2.840.10008.5.1.4.1.1.4', // MR Image
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR Image
  '1.2.840.10008.5.1.4.1.1.4.2', // MR Spectroscopy
  '1.2.840.10008.5.1.4.1.1.4.3', // Enhanced MR Color Image
  '1.2.840.10008.5.1.4.1.1.4.4', // Legacy Converted Enhanced MR Image
  '1.2.840.10008.5.1.4.1.1.6.1', // Ultrasound Image
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture Image
  '1.2.840.10008.5.1.4.1.1.7.1', // Multi-frame Single Bit Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame Grayscale Byte Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.3', // Multi-frame Grayscale Word Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame True Color Secondary Capture
  '1.2.840.10008.5.1.4.1.1.9.1.1', // 12-lead ECG Waveform
  '1.2.840.10008.5.1.4.1.1.9.1.2', // General ECG Waveform
  '1.2.840.10008.5.1.4.1.1.9.1.3', // Ambulatory ECG Waveform
  '1.2.840.10008.5.1.4.1.1.9.2.1', // Hemodynamic Waveform
  '1.2.840.10008.5.1.4.1.1.9.3.1', // Cardiac Electrophysiology Waveform
  '1.2.840.10008.5.1.4.1.1.9.4.1', // Basic Voice Audio Waveform
  '1.2.840.10008.5.1.4.1.1.11.1', // Grayscale Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.2', // Color Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.3', // Pseudo-Color Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.11.4', // Blending Softcopy Presentation State
  '1.2.840.10008.5.1.4.1.1.12.1', // X-Ray Angiographic Image
  '1.2.840.10008.5.1.4.1.1.12.1.1', // Enhanced XA Image
  '1.2.840.10008.5.1.4.1.1.12.2', // X-Ray Radiofluoroscopic Image
  '1.2.840.10008.5.1.4.1.1.12.2.1', // Enhanced XRF Image
  '1.2.840.10008.5.1.4.1.1.13.1.1', // X-Ray 3D Angiographic Image
  '1.2.840.10008.5.1.4.1.1.13.1.3', // Breast Tomosynthesis Image
  '1.2.840.10008.5.1.4.1.1.13.1.4', // Breast Projection X-Ray, for presentation
  '1.2.840.10008.5.1.4.1.1.13.1.5', // Breast Projection X-Ray, for processing
  '1.2.840.10008.5.1.4.1.1.14.1', // IVOCT Image, for presentation
  '1.2.840.10008.5.1.4.1.1.14.2', // IVOCT Image, for processing
  '1.2.840.10008.5.1.4.1.1.20', // Nuclear Medicine Image
  '1.2.840.10008.5.1.4.1.1.30', // Parametric Map
  '1.2.840.10008.5.1.4.1.1.66', // Raw Data
  '1.2.840.10008.5.1.4.1.1.66.1', // Spatial Registration
  '1.2.840.10008.5.1.4.1.1.66.2', // Spatial Fiducials
  '1.2.840.10008.5.1.4.1.1.66.3', // Deformable Spatial Registration
  '1.2.840.10008.5.1.4.1.1.66.4', // Segmentation
  '1.2.840.10008.5.1.4.1.1.66.5', // Surface Segmentation
  '1.2.840.10008.5.1.4.1.1.67', // Real World Value Mapping
  '1.2.840.10008.5.1.4.1.1.77.1.1', // VL Endoscopic Image
  '1.2.840.10008.5.1.4.1.1.77.1.1.1', // Video Endoscopic Image
  '1.2.840.10008.5.1.4.1.1.77.1.2', // VL Microscopic Image
  '1.2.840.10008.5.1.4.1.1.77.1.4', // VL Photographic Image
  '1.2.840.10008.5.1.4.1.1.77.1.5.1', // Ophthalmic Photography 8 Bit Image
  '1.2.840.10008.5.1.4.1.1.77.1.5.4', // Ophthalmic Tomography Image
  '1.2.840.10008.5.1.4.1.1.77.1.6', // VL Whole Slide Microscopy Image
  '1.2.840.10008.5.1.4.1.1.88.11', // Basic Text SR
  '1.2.840.10008.5.1.4.1.1.88.22', // Enhanced SR
  '1.2.840.10008.5.1.4.1.1.88.33', // Comprehensive SR
  '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR
  '1.2.840.10008.5.1.4.1.1.88.40', // Procedure Log
  '1.2.840.10008.5.1.4.1.1.88.50', // Mammography CAD SR
  '1.2.840.10008.5.1.4.1.1.88.59', // Key Object Selection Document
  '1.2.840.10008.5.1.4.1.1.88.65', // Chest CAD SR
  '1.2.840.10008.5.1.4.1.1.88.67', // X-Ray Radiation Dose SR
  '1.2.840.10008.5.1.4.1.1.88.68', // Radiopharmaceutical Radiation Dose SR
  '1.2.840.10008.5.1.4.1.1.104.1', // Encapsulated PDF
  '1.2.840.10008.5.1.4.1.1.104.2', // Encapsulated CDA
  '1.2.840.10008.5.1.4.1.1.104.3', // Encapsulated STL
  '1.2.840.10008.5.1.4.1.1.128', // Positron Emission Tomography Image
  '1.2.840.10008.5.1.4.1.1.130', // Enhanced PET Image
  '1.2.840.10008.5.1.4.1.1.481.1', // RT Image
  '1.2.840.10008.5.1.4.1.1.481.2', // RT Dose
  '1.2.840.10008.5.1.4.1.1.481.3', // RT Structure Set
  '1.2.840.10008.5.1.4.1.1.481.4', // RT Beams Treatment Record
  '1.2.840.10008.5.1.4.1.1.481.5', // RT Plan
  '1.2.840.10008.5.1.4.1.1.481.8', // RT Ion Plan
  '1.2.840.10008.5.1.4.1.1.481.9', // RT Ion Beams Treatment Record
  '1.2.840.10008.5.1.4.34.7', // RT Beams Delivery Instruction
  '1.2.840.10008.5.1.4.34.10', // RT Patient Position Acquisition Instruction
  '1.2.840.10008.5.1.4.38.1', // Hanging Protocol
  '1.2.840.10008.5.1.4.39.1', // Color Palette
  '1.2.840.10008.5.1.4.43.1', // Generic Implant Template
  '1.2.840.10008.5.1.4.44.1', // Implant Assembly Template
  '1.2.840.10008.5.1.4.45.1', // Implant Template Group
]);

export function isStorageSopClass(uid: string): boolean {
  return STORAGE_SOP_CLASSES.has(uid) || (uid.startsWith(STORAGE_ROOT) && isUid(uid));
}

/** A DICOM UID as PS3.5 9.1 allows it: dotted numeric components, no leading zeros, at most 64 characters. */
export function isUid(value: string): boolean {
  return value.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/.test(value);
}

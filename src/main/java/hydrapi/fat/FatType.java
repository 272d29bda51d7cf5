// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

/** The FAT variant, decided by cluster count alone (fatgen103 "FAT Type Determination"), never by the label. */
public enum FatType {
    FAT12, FAT16, FAT32
}

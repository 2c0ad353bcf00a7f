// Download presets for GRCh38: just data (URL + where its checksum comes from); every field can be overridden in YAML.

export interface DownloadSource {
  url: string;
  /** Expected checksums; when absent, read from checksumUrl. */
  md5?: string;
  sha256?: string;
  /** A checksum list beside the file (md5sum / sha256sum / BSD `sum` format), searched for the file's name. */
  checksumUrl?: string;
}

export const PRESETS: Record<string, DownloadSource & { description: string }> = {
  "ncbi-grch38": {
    description: "NCBI RefSeq GRCh38.p14 (GCF_000001405.40), all records incl. alts/patches; names like NC_000001.11",
    url: "https://ftp.ncbi.nlm.nih.gov/genomes/all/GCF/000/001/405/GCF_000001405.40_GRCh38.p14/GCF_000001405.40_GRCh38.p14_genomic.fna.gz",
    checksumUrl: "https://ftp.ncbi.nlm.nih.gov/genomes/all/GCF/000/001/405/GCF_000001405.40_GRCh38.p14/md5checksums.txt",
  },
  "ucsc-hg38": {
    description: "UCSC hg38.fa.gz (soft-masked; chr1.., chrUn_*, *_random, *_alt, *_fix)",
    url: "https://hgdownload.soe.ucsc.edu/goldenPath/hg38/bigZips/hg38.fa.gz",
    md5: "1c9dcaddfa41027f17cd8f7a82c7293b",
    checksumUrl: "https://hgdownload.soe.ucsc.edu/goldenPath/hg38/bigZips/md5sum.txt",
  },
  "ensembl-grch38": {
    description: "Ensembl release 112 GRCh38 primary assembly (no alts/patches; names 1..22, X, Y, MT, KI/GL scaffolds)",
    url: "https://ftp.ensembl.org/pub/release-112/fasta/homo_sapiens/dna/Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz",
    checksumUrl: "https://ftp.ensembl.org/pub/release-112/fasta/homo_sapiens/dna/CHECKSUMS",
  },
};

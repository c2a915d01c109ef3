"""Words to model units: sub-word alignment, first-sub-word or every-sub-word labelling, windows over long
sentences and their re-assembly."""

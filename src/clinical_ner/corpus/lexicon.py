"""Word lists for the synthetic n2c2-2018-like corpus (`synthetic.py`).

Every drug entry: generic names, brand names, dosage-form kinds, strengths, conditions it treats
(Reason) and conditions it causes (ADE). Many conditions are both a Reason for one drug and an ADE
of another (hyperkalemia, nausea, rash, hypotension, constipation, ...), so the label of a condition
depends on its context, never on its surface form alone.

Held out of training (test letters only): the drugs flagged `held_out=True` below and the
conditions in `HELD_OUT_CONDITIONS`; they let the test split measure generalisation to unseen
drug and condition strings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DrugInfo:
    names: tuple[str, ...]  # generic names (lower case)
    brands: tuple[str, ...]
    kinds: tuple[str, ...]  # dosage-form kinds, keys of FORMS
    strengths: tuple[str, ...]
    reasons: tuple[str, ...]
    ades: tuple[str, ...]
    held_out: bool = False


def _d(names, brands, kinds, strengths, reasons, ades=(), held_out=False) -> DrugInfo:
    def t(value):
        return tuple(v for v in value.split("|") if v) if isinstance(value, str) else tuple(value)

    return DrugInfo(t(names), t(brands) if brands else (), t(kinds), t(strengths), t(reasons), t(ades) if ades else (), held_out)


DRUGS: tuple[DrugInfo, ...] = (
    # cardiovascular
    _d("metoprolol tartrate|metoprolol", "Lopressor", "tab", "25 mg|50 mg|12.5 mg", "hypertension|atrial fibrillation|tachycardia", "bradycardia|hypotension|fatigue"),
    _d("metoprolol succinate", "Toprol XL", "tab", "50 mg|100 mg|25 mg", "hypertension|heart failure", "bradycardia|hypotension"),
    _d("lisinopril", "Zestril|Prinivil", "tab", "5 mg|10 mg|20 mg|40 mg", "hypertension|heart failure", "cough|hyperkalemia|angioedema|acute kidney injury"),
    _d("losartan", "Cozaar", "tab", "25 mg|50 mg|100 mg", "hypertension", "hyperkalemia|dizziness"),
    _d("amlodipine", "Norvasc", "tab", "5 mg|10 mg|2.5 mg", "hypertension", "lower extremity edema|edema"),
    _d("hydrochlorothiazide", "HCTZ", "tab", "12.5 mg|25 mg", "hypertension", "hyponatremia|hypokalemia"),
    _d("furosemide", "Lasix", "tab|iv", "20 mg|40 mg|80 mg", "fluid overload|edema|CHF exacerbation|volume overload", "hypokalemia|acute kidney injury|hypotension"),
    _d("torsemide", "Demadex", "tab", "20 mg|10 mg", "edema|fluid overload", "hypokalemia"),
    _d("spironolactone", "Aldactone", "tab", "25 mg|50 mg|100 mg", "ascites|heart failure", "hyperkalemia|gynecomastia"),
    _d("carvedilol", "Coreg", "tab", "3.125 mg|6.25 mg|12.5 mg|25 mg", "hypertension|heart failure", "bradycardia|hypotension|dizziness"),
    _d("diltiazem", "Cardizem", "tab|iv", "30 mg|60 mg|120 mg", "atrial fibrillation|rate control", "hypotension|bradycardia"),
    _d("digoxin", "Lanoxin", "tab", "125 mcg|0.125 mg|250 mcg", "atrial fibrillation", "nausea|bradycardia"),
    _d("amiodarone", "Cordarone", "tab|iv", "200 mg|400 mg", "atrial fibrillation|ventricular tachycardia", "bradycardia|hypothyroidism|elevated LFTs"),
    _d("hydralazine", "", "tab|iv", "10 mg|25 mg|50 mg", "hypertension", "tachycardia|headache"),
    _d("isosorbide mononitrate", "Imdur", "tab", "30 mg|60 mg", "angina", "headache|hypotension"),
    _d("nitroglycerin", "Nitrostat", "sl", "0.4 mg", "chest pain|angina", "headache|hypotension"),
    _d("atorvastatin", "Lipitor", "tab", "10 mg|40 mg|80 mg", "hyperlipidemia", "myalgias|elevated LFTs"),
    _d("simvastatin", "Zocor", "tab", "20 mg|40 mg", "hyperlipidemia", "myalgias"),
    _d("aspirin", "ASA|Ecotrin", "tab", "81 mg|325 mg", "coronary artery disease|CAD|chest pain", "GI bleed|bleeding"),
    _d("clopidogrel", "Plavix", "tab", "75 mg", "coronary artery disease|NSTEMI", "bleeding|GI bleed"),
    _d("warfarin", "Coumadin", "tab", "1 mg|2 mg|2.5 mg|5 mg", "atrial fibrillation|DVT|pulmonary embolism", "bleeding|supratherapeutic INR|hematuria"),
    _d("heparin", "", "iv|sc", "5000 units|5,000 unit/mL", "DVT prophylaxis|DVT|pulmonary embolism", "thrombocytopenia|bleeding"),
    _d("enoxaparin", "Lovenox", "sc", "40 mg/0.4 mL|80 mg/0.8 mL|60 mg", "DVT prophylaxis|DVT", "bleeding|hematoma"),
    _d("apixaban", "Eliquis", "tab", "2.5 mg|5 mg", "atrial fibrillation|pulmonary embolism", "bleeding"),
    _d("rivaroxaban", "Xarelto", "tab", "20 mg|15 mg", "atrial fibrillation|DVT", "bleeding|GI bleed"),
    # endocrine
    _d("insulin glargine", "Lantus", "insulin", "100 unit/mL", "diabetes|hyperglycemia", "hypoglycemia"),
    _d("insulin lispro", "Humalog", "insulin", "100 unit/mL", "hyperglycemia|diabetes", "hypoglycemia"),
    _d("insulin regular|insulin", "Humulin R", "insulin|iv", "100 unit/mL", "hyperglycemia|hyperkalemia", "hypoglycemia"),
    _d("metformin", "Glucophage", "tab", "500 mg|850 mg|1000 mg", "diabetes|type 2 diabetes", "diarrhea|lactic acidosis"),
    _d("glipizide", "Glucotrol", "tab", "5 mg|10 mg", "diabetes", "hypoglycemia"),
    _d("levothyroxine", "Synthroid", "tab", "50 mcg|75 mcg|100 mcg|112 mcg", "hypothyroidism", "palpitations"),
    _d("prednisone", "Deltasone", "tab", "5 mg|10 mg|20 mg|40 mg|60 mg", "COPD exacerbation|asthma exacerbation|rash", "hyperglycemia|insomnia|agitation"),
    _d("methylprednisolone", "Solu-Medrol", "iv", "125 mg|40 mg|60 mg", "COPD exacerbation|angioedema", "hyperglycemia|agitation"),
    _d("hydrocortisone", "Cortef", "top", "1 %|2.5 %|0.5 %", "rash|adrenal insufficiency|pruritus", "hyperglycemia"),
    _d("dexamethasone", "Decadron", "tab|iv", "4 mg|10 mg", "cerebral edema|nausea", "hyperglycemia|insomnia"),
    # anti-infectives
    _d("vancomycin", "Vancocin", "iv", "1 g|1000 mg|1,250 mg|750 mg", "MRSA bacteremia|cellulitis|pneumonia|C. diff colitis", "acute kidney injury|rash|red man syndrome"),
    _d("piperacillin-tazobactam", "Zosyn", "iv", "4.5 g|3.375 g", "pneumonia|sepsis|aspiration pneumonia", "diarrhea|thrombocytopenia|rash"),
    _d("ceftriaxone", "Rocephin", "iv", "1 g|2 g", "pneumonia|urinary tract infection|meningitis", "rash|diarrhea"),
    _d("cefepime", "Maxipime", "iv", "1 g|2 g", "pneumonia|neutropenic fever", "encephalopathy|rash"),
    _d("levofloxacin", "Levaquin", "tab|iv", "500 mg|750 mg", "pneumonia|urinary tract infection", "QT prolongation|tendinitis|confusion"),
    _d("ciprofloxacin", "Cipro", "tab", "250 mg|500 mg", "urinary tract infection|UTI", "QT prolongation|diarrhea"),
    _d("amoxicillin", "Amoxil", "cap", "500 mg|875 mg", "sinusitis|otitis media", "rash|hives|diarrhea"),
    _d("amoxicillin-clavulanate", "Augmentin", "tab", "875-125 mg|500-125 mg", "aspiration pneumonia|cellulitis", "diarrhea|rash"),
    _d("azithromycin", "Zithromax|Z-pak", "tab", "250 mg|500 mg", "pneumonia|COPD exacerbation", "QT prolongation|nausea"),
    _d("doxycycline", "Vibramycin", "tab", "100 mg", "cellulitis|Lyme disease", "nausea|photosensitivity"),
    _d("trimethoprim-sulfamethoxazole", "Bactrim|Bactrim DS", "tab", "800-160 mg|160-800 mg", "UTI|PCP prophylaxis|cellulitis", "hyperkalemia|rash|acute kidney injury"),
    _d("metronidazole", "Flagyl", "tab|iv", "500 mg", "C. diff colitis|intra-abdominal infection", "nausea|metallic taste|neuropathy"),
    _d("cephalexin", "Keflex", "cap", "500 mg|250 mg", "cellulitis|UTI", "rash|diarrhea"),
    _d("clindamycin", "Cleocin", "cap|iv", "300 mg|600 mg", "cellulitis", "diarrhea|C. diff colitis"),
    _d("nafcillin", "", "iv", "2 g", "MSSA bacteremia", "interstitial nephritis|rash"),
    _d("meropenem", "Merrem", "iv", "1 g|500 mg", "sepsis|pneumonia", "seizures"),
    _d("fluconazole", "Diflucan", "tab", "100 mg|200 mg", "thrush|yeast infection|candiduria", "elevated LFTs"),
    _d("acyclovir", "Zovirax", "tab|iv", "400 mg|800 mg", "herpes zoster|HSV", "acute kidney injury"),
    _d("oseltamivir", "Tamiflu", "cap", "75 mg|30 mg", "influenza", "nausea"),
    # analgesia, neuro, psych
    _d("acetaminophen", "Tylenol", "tab|liq", "325 mg|500 mg|650 mg|1000 mg", "pain|fever|headache", "elevated LFTs"),
    _d("oxycodone", "Roxicodone|OxyContin", "tab", "5 mg|10 mg", "pain|back pain", "constipation|sedation|nausea|respiratory depression"),
    _d("morphine|morphine sulfate", "MS Contin", "iv|tab", "2 mg|4 mg|15 mg", "pain|chest pain", "nausea|pruritus|respiratory depression|hypotension"),
    _d("hydromorphone", "Dilaudid", "iv|tab", "0.5 mg|1 mg|2 mg", "pain", "sedation|respiratory depression|nausea"),
    _d("tramadol", "Ultram", "tab", "50 mg", "pain", "seizures|nausea"),
    _d("ibuprofen", "Motrin|Advil", "tab", "400 mg|600 mg|800 mg", "pain|fever|headache", "GI bleed|acute kidney injury"),
    _d("ketorolac", "Toradol", "iv", "15 mg|30 mg", "pain", "acute kidney injury|GI bleed"),
    _d("gabapentin", "Neurontin", "cap", "100 mg|300 mg|600 mg", "neuropathy|neuropathic pain", "sedation|dizziness"),
    _d("lorazepam", "Ativan", "tab|iv", "0.5 mg|1 mg|2 mg", "anxiety|agitation|insomnia|seizures", "sedation|delirium|confusion"),
    _d("diazepam", "Valium", "tab", "2 mg|5 mg", "anxiety|muscle spasm", "sedation"),
    _d("haloperidol", "Haldol", "iv|tab", "0.5 mg|1 mg|5 mg", "agitation|delirium", "QT prolongation|dystonic reaction"),
    _d("quetiapine", "Seroquel", "tab", "25 mg|50 mg", "agitation|insomnia|delirium", "sedation|hypotension"),
    _d("olanzapine", "Zyprexa", "tab", "2.5 mg|5 mg", "agitation", "sedation|hyperglycemia"),
    _d("sertraline", "Zoloft", "tab", "50 mg|100 mg", "depression|anxiety", "hyponatremia|nausea"),
    _d("citalopram", "Celexa", "tab", "10 mg|20 mg", "depression", "QT prolongation|hyponatremia"),
    _d("trazodone", "Desyrel", "tab", "25 mg|50 mg", "insomnia", "hypotension|sedation"),
    _d("zolpidem", "Ambien", "tab", "5 mg|10 mg", "insomnia", "confusion|delirium"),
    _d("levetiracetam", "Keppra", "tab|iv", "500 mg|750 mg|1000 mg", "seizures|seizure prophylaxis", "agitation|sedation"),
    _d("phenytoin", "Dilantin", "cap", "100 mg", "seizures", "rash|ataxia|gingival hyperplasia"),
    _d("donepezil", "Aricept", "tab", "5 mg|10 mg", "dementia", "bradycardia|nausea"),
    # gastrointestinal
    _d("pantoprazole", "Protonix", "tab|iv", "40 mg", "GERD|GI prophylaxis|GI bleed", "diarrhea|hypomagnesemia"),
    _d("omeprazole", "Prilosec", "cap", "20 mg|40 mg", "GERD|peptic ulcer disease", "hypomagnesemia"),
    _d("famotidine", "Pepcid", "tab|iv", "20 mg", "GERD|GI prophylaxis", "confusion|thrombocytopenia"),
    _d("ondansetron", "Zofran", "tab|iv", "4 mg|8 mg", "nausea|vomiting", "QT prolongation|constipation|headache"),
    _d("metoclopramide", "Reglan", "tab|iv", "5 mg|10 mg", "nausea|gastroparesis", "dystonic reaction|tardive dyskinesia"),
    _d("docusate sodium|docusate", "Colace", "cap|liq", "100 mg|50 mg/5 mL", "constipation", "diarrhea"),
    _d("senna|sennosides", "Senokot", "tab", "8.6 mg", "constipation", "abdominal cramping"),
    _d("polyethylene glycol", "Miralax", "powder", "17 gram", "constipation", "diarrhea|bloating"),
    _d("bisacodyl", "Dulcolax", "supp|tab", "10 mg|5 mg", "constipation", "abdominal cramping"),
    _d("lactulose", "Enulose", "liq", "10 gram/15 mL", "hepatic encephalopathy|constipation", "diarrhea"),
    _d("loperamide", "Imodium", "cap", "2 mg", "diarrhea", "constipation"),
    _d("prochlorperazine", "Compazine", "tab|iv", "10 mg|5 mg", "nausea", "dystonic reaction|sedation"),
    # pulmonary
    _d("albuterol", "Proventil|Ventolin|ProAir HFA", "inh|neb", "90 mcg/Actuation|2.5 mg/3 mL", "shortness of breath|wheezing|bronchospasm", "tachycardia|tremor"),
    _d("ipratropium bromide|ipratropium", "Atrovent", "neb|inh", "0.02 %|17 mcg/Actuation", "wheezing|shortness of breath|COPD", "dry mouth"),
    _d("fluticasone-salmeterol", "Advair Diskus|Advair", "inh", "250-50 mcg/Dose|500-50 mcg/Dose", "COPD|asthma", "thrush"),
    _d("tiotropium bromide|tiotropium", "Spiriva", "inh", "18 mcg", "COPD", "dry mouth|urinary retention"),
    _d("montelukast", "Singulair", "tab", "10 mg", "asthma", "agitation"),
    _d("guaifenesin", "Robitussin|Mucinex", "liq|tab", "100 mg/5 mL|600 mg", "cough", "nausea"),
    _d("benzonatate", "Tessalon Perles|Tessalon", "cap", "100 mg|200 mg", "cough", "sedation"),
    # electrolytes, vitamins, miscellaneous
    _d("potassium chloride", "K-Dur|KCl", "tab|iv", "20 mEq|10 mEq|40 mEq", "hypokalemia", "hyperkalemia|GI upset"),
    _d("magnesium oxide", "Mag-Ox", "tab", "400 mg", "hypomagnesemia", "diarrhea"),
    _d("sodium polystyrene sulfonate", "Kayexalate", "powder", "15 gram|30 gram", "hyperkalemia", "constipation"),
    _d("calcium carbonate", "Tums|Os-Cal", "tab", "500 mg|1250 mg", "hypocalcemia|osteoporosis|heartburn", "constipation"),
    _d("folic acid", "", "tab", "1 mg", "folate deficiency|alcohol use"),
    _d("thiamine", "", "tab|iv", "100 mg", "alcohol use|thiamine deficiency"),
    _d("multivitamin", "MVI|Theragran", "tab", "", "nutritional supplementation"),
    _d("ferrous sulfate", "Feosol", "tab", "325 mg", "iron deficiency anemia|anemia", "constipation|dark stools"),
    _d("cyanocobalamin", "vitamin B12", "tab", "1000 mcg", "B12 deficiency"),
    _d("diphenhydramine", "Benadryl", "cap|iv", "25 mg|50 mg", "pruritus|itching|insomnia|allergic reaction", "delirium|sedation|urinary retention"),
    _d("tamsulosin", "Flomax", "cap", "0.4 mg", "urinary retention|BPH", "hypotension|dizziness"),
    _d("finasteride", "Proscar", "tab", "5 mg", "BPH"),
    _d("nicotine", "NicoDerm CQ", "patch", "21 mg/24 hr|14 mg/24 hr", "smoking cessation|nicotine withdrawal", "skin irritation|insomnia"),
    _d("lidocaine", "Lidoderm", "patch", "5 %|5%", "pain|back pain", "skin irritation"),
    _d("naloxone", "Narcan", "iv", "0.4 mg", "respiratory depression|opioid overdose|sedation"),
    _d("midodrine", "ProAmatine", "tab", "5 mg|10 mg", "hypotension|orthostatic hypotension", "supine hypertension"),
    _d("glucagon", "", "iv", "1 mg", "hypoglycemia"),
    _d("dextrose", "D50", "iv", "50 %", "hypoglycemia"),
    _d("atropine", "", "iv", "0.5 mg|1 mg", "bradycardia"),
    _d("timolol", "Timoptic", "eye", "0.5 %", "glaucoma", "bradycardia"),
    _d("latanoprost", "Xalatan", "eye", "0.005 %", "glaucoma"),
    _d("nystatin", "Mycostatin", "liq", "100,000 unit/mL", "thrush", "nausea"),
    # held out of training: only test letters use these
    _d("colchicine", "Colcrys", "tab", "0.6 mg", "gout flare|gout", "diarrhea|nausea", held_out=True),
    _d("allopurinol", "Zyloprim", "tab", "100 mg|300 mg", "gout", "Stevens-Johnson syndrome|rash", held_out=True),
    _d("carbamazepine", "Tegretol", "tab", "200 mg", "trigeminal neuralgia|seizures", "Stevens-Johnson syndrome|hyponatremia", held_out=True),
    _d("chlordiazepoxide", "Librium", "cap", "25 mg|50 mg", "alcohol withdrawal|anxiety", "sedation|delirium", held_out=True),
    _d("chlorpromazine", "Thorazine", "tab|iv", "25 mg|10 mg", "hiccups|agitation", "hypotension|tardive dyskinesia", held_out=True),
    _d("dabigatran", "Pradaxa", "cap", "150 mg|75 mg", "atrial fibrillation", "GI bleed|bleeding", held_out=True),
    _d("nitrofurantoin", "Macrobid", "cap", "100 mg", "urinary tract infection|UTI", "nausea|pulmonary toxicity", held_out=True),
    _d("linezolid", "Zyvox", "tab|iv", "600 mg", "VRE bacteremia|cellulitis", "thrombocytopenia|serotonin syndrome", held_out=True),
    _d("rifaximin", "Xifaxan", "tab", "550 mg", "hepatic encephalopathy", "nausea", held_out=True),
    _d("fondaparinux", "Arixtra", "sc", "2.5 mg|7.5 mg", "DVT prophylaxis|DVT", "bleeding", held_out=True),
    _d("sucralfate", "Carafate", "tab|liq", "1 gram", "peptic ulcer disease|GERD", "constipation", held_out=True),
    _d("methimazole", "Tapazole", "tab", "5 mg|10 mg", "hyperthyroidism", "agranulocytosis|rash", held_out=True),
)

HELD_OUT_CONDITIONS: frozenset[str] = frozenset(
    {
        "gout", "gout flare", "trigeminal neuralgia", "Stevens-Johnson syndrome", "alcohol withdrawal",
        "hiccups", "tardive dyskinesia", "hyperthyroidism", "agranulocytosis", "serotonin syndrome",
        "VRE bacteremia", "pulmonary toxicity",
    }
)

# Drug classes and generic treatments, used only in narrative sentences (no strength/form).
CLASSES: tuple[DrugInfo, ...] = (
    _d("antibiotics|IV antibiotics|broad spectrum antibiotics", "", "class", "", "pneumonia|cellulitis|urinary tract infection|sepsis", "diarrhea|C. diff colitis|rash"),
    _d("steroids|IV steroids|stress dose steroids", "", "class", "", "COPD exacerbation|asthma exacerbation|adrenal insufficiency", "hyperglycemia|agitation|insomnia"),
    _d("anticoagulation", "", "class", "", "atrial fibrillation|DVT|pulmonary embolism", "bleeding|GI bleed|hematuria"),
    _d("narcotics|opioids|pain medications", "", "class", "", "pain|back pain", "constipation|sedation|respiratory depression|delirium"),
    _d("diuretics|diuresis", "", "class", "", "fluid overload|CHF exacerbation|edema", "acute kidney injury|hypokalemia|hypotension"),
    _d("IV fluids|fluids|normal saline", "", "class", "", "hypotension|dehydration|acute kidney injury", "fluid overload|volume overload"),
    _d("nebulizers|nebs", "", "class", "", "wheezing|shortness of breath|COPD exacerbation", "tachycardia"),
    _d("insulin drip|insulin sliding scale", "", "class", "", "hyperglycemia|diabetic ketoacidosis", "hypoglycemia|hypokalemia"),
    _d("beta blockers|beta-blockade", "", "class", "", "rate control|atrial fibrillation|hypertension", "bradycardia|hypotension"),
    _d("chemotherapy", "", "class", "", "lymphoma|breast cancer", "neutropenic fever|nausea|thrombocytopenia"),
    _d("contrast", "", "class", "", "CT angiogram", "acute kidney injury|hives"),
)

# Form words by kind: (first Form after the strength, lower-case variants, Sig unit word or "" when
# the unit belongs to the Dosage, e.g. "Fifteen (15) ML").
FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "tab": (("Tablet", "Tablet", "Tablet, Delayed Release (E.C.)", "Tablet Extended Release", "Tablet Sustained Release 24 hr", "Tablet, Chewable"), ("tablet", "tab", "tablet", "tabs"), ("Tablet", "Tablet", "Tablets")),
    "cap": (("Capsule", "Capsule", "Capsule, Extended Release"), ("capsule", "cap", "caps"), ("Capsule", "Capsules")),
    "inh": (("Aerosol", "HFA Aerosol Inhaler", "Disk with Device", "Aerosol, Powder"), ("inhaler", "MDI", "puff"), ("Puff", "Puffs")),
    "neb": (("Solution for Nebulization", "Solution", "Neb Solution"), ("neb", "nebulizer", "nebs"), ("Inhalation", "Neb")),
    "iv": (("Recon Soln", "Solution", "Piggyback", "Injection"), ("injection", "solution", "IVPB"), ("Recon Soln", "Injection", "")),
    "sc": (("Solution", "Injection", "Syringe", "Pen"), ("injection", "syringe"), ("Injection", "")),
    "insulin": (("Solution", "Insulin Pen", "Cartridge"), ("pen", "vial"), ("",)),
    "top": (("Cream", "Ointment", "Gel"), ("cream", "ointment"), ("Appl",)),
    "patch": (("Patch 24 hr", "Adhesive Patch, Medicated", "Patch"), ("patch",), ("Patch", "Adhesive Patch, Medicated")),
    "liq": (("Solution", "Syrup", "Suspension", "Liquid"), ("liquid", "syrup", "suspension", "elixir"), ("",)),
    "powder": (("Powder", "Powder in Packet"), ("powder", "packet"), ("",)),
    "supp": (("Suppository",), ("suppository", "supp"), ("Suppository",)),
    "eye": (("Drops", "Drops, Suspension"), ("drops", "gtt"), ("Drop",)),
    "sl": (("Tablet, Sublingual",), ("SL tab", "tablet"), ("Tablet",)),
}

# Routes by kind: (Sig style, abbreviations, words).
ROUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "tab": (("PO",), ("PO", "po", "p.o.", "PO"), ("by mouth", "orally", "oral")),
    "cap": (("PO",), ("PO", "po", "p.o."), ("by mouth", "orally")),
    "liq": (("PO",), ("PO", "po", "via NGT", "per G-tube"), ("by mouth", "orally")),
    "powder": (("PO",), ("PO", "po"), ("by mouth", "mixed in water by mouth")),
    "inh": (("Inhalation",), ("INH", "inh", "inhaled"), ("inhaled", "by inhalation")),
    "neb": (("Inhalation",), ("neb", "INH", "nebulized"), ("nebulized", "via nebulizer")),
    "iv": (("Intravenous",), ("IV", "iv", "IVPB", "IV"), ("intravenously", "IV push", "IV")),
    "sc": (("Subcutaneous",), ("SC", "SQ", "subcut", "sc"), ("subcutaneously", "under the skin")),
    "insulin": (("Subcutaneous",), ("SC", "SQ", "subcut"), ("subcutaneously",)),
    "top": (("Topical",), ("TOP", "topical"), ("topically", "to affected area")),
    "patch": (("Transdermal",), ("TD", "transdermal"), ("transdermally", "to skin")),
    "supp": (("Rectal",), ("PR", "pr"), ("rectally", "per rectum")),
    "eye": (("Ophthalmic",), ("OU", "OS", "OD"), ("in both eyes", "in the left eye")),
    "sl": (("Sublingual",), ("SL", "sl"), ("under the tongue", "sublingually")),
    "class": (("IV",), ("IV", "PO"), ("intravenously", "by mouth")),
}

FREQ_SIG: tuple[str, ...] = (
    "BID (2 times a day)", "TID (3 times a day)", "QID (4 times a day)", "DAILY (Daily)", "Q24H (every 24 hours)",
    "Q8H (every 8 hours)", "Q12H (every 12 hours)", "Q6H (every 6 hours)", "HS (at bedtime)",
    "QHS (once a day (at bedtime))", "Q4H (every 4 hours)", "once a day", "Q 12H (Every 12 Hours)",
    "QAM (once a day (in the morning))", "every other day", "DAILY (Daily)", "BID (2 times a day)",
)
FREQ_SIG_PRN: tuple[str, ...] = (
    "Q4H (every 4 hours) as needed", "Q6H (every 6 hours) as needed", "Q4-6H (every 4 to 6 hours) as needed",
    "Q8H (every 8 hours) as needed", "HS (at bedtime) as needed", "TID (3 times a day) as needed",
    "Q2H (every 2 hours) as needed", "BID (2 times a day) as needed",
)
FREQ_ABBR: tuple[str, ...] = (
    "BID", "bid", "b.i.d.", "TID", "tid", "t.i.d.", "QID", "q.i.d.", "daily", "qd", "QD", "QHS", "qhs",
    "q6h", "Q6H", "q8h", "q8", "q12h", "Q12H", "q4h", "q24h", "QAM", "qAM", "qPM", "daily", "qday", "QOD",
    "q.8h.", "q 6 hrs", "QHS", "Daily",
)
FREQ_WORDS: tuple[str, ...] = (
    "once a day", "twice a day", "twice daily", "once daily", "three times a day", "four times daily",
    "every morning", "at bedtime", "every 8 hours", "every 6 hours", "nightly", "every 12 hours",
    "once a week", "every other day", "in the evening", "with meals", "before meals", "every day",
)
FREQ_ONCE: tuple[str, ...] = ("x1", "once", "x 1", "one dose", "a single dose")
PRN_WORDS: tuple[str, ...] = ("prn", "PRN", "as needed", "p.r.n.")

DURATIONS: tuple[str, ...] = (
    "for 30 days", "for 5 days", "for 7 days", "for 10 days", "for 14 days", "for 2 weeks", "for 1 week",
    "x7 days", "x 5 days", "x5d", "x 10 days", "for 3 more days", "for a total of 10 days", "for 1 month",
    "for 4 more doses", "x 2 weeks", "for the next 3 days", "for 6 weeks", "for 3 days", "x14d",
    "for one week", "for a total of 14 days", "for 4 days",
)

NUMBER_WORDS: tuple[str, ...] = (
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
    "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen", "Twenty",
)

# Conditions mentioned without any drug (plain, never annotated): history, symptoms, diagnoses.
PLAIN_CONDITIONS: tuple[str, ...] = (
    "hypertension", "diabetes", "atrial fibrillation", "coronary artery disease", "CHF", "COPD", "asthma",
    "chronic kidney disease", "hyperlipidemia", "hypothyroidism", "depression", "anxiety", "GERD",
    "osteoarthritis", "dementia", "BPH", "glaucoma", "obesity", "sleep apnea", "anemia", "cirrhosis",
    "pneumonia", "urinary tract infection", "cellulitis", "DVT", "seizures", "stroke", "peripheral vascular disease",
    "chest pain", "shortness of breath", "nausea", "vomiting", "diarrhea", "constipation", "rash", "fever",
    "headache", "dizziness", "abdominal pain", "cough", "hypotension", "bleeding", "edema", "confusion",
    "hyperkalemia", "hypokalemia", "acute kidney injury", "delirium", "bradycardia", "pruritus", "insomnia",
    "gout", "hyperthyroidism", "alcohol withdrawal", "hiccups", "trigeminal neuralgia",
)
COMPLAINTS: tuple[str, ...] = (
    "shortness of breath", "chest pain", "fever", "abdominal pain", "fall", "altered mental status",
    "weakness", "syncope", "lower extremity swelling", "cough", "nausea and vomiting", "hematemesis",
    "melena", "palpitations", "dyspnea on exertion", "right leg pain", "confusion",
)
NON_DRUG_CAUSES: tuple[str, ...] = (
    "viral gastroenteritis", "dehydration", "poor oral intake", "deconditioning", "a mechanical fall",
    "volume depletion", "an underlying infection", "her underlying malignancy", "progression of his disease",
    "urinary retention", "sleep deprivation", "a viral illness",
)
SERVICES: tuple[str, ...] = ("MEDICINE", "CARDIOLOGY", "NEUROLOGY", "SURGERY", "ORTHOPAEDICS", "Medicine", "CSURG", "OMED")
CONSULTS: tuple[str, ...] = ("cardiology", "renal", "infectious disease", "GI", "physical therapy", "social work", "nutrition", "palliative care", "psychiatry")
SWELLING_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("swelling of the", "lips", "tongue"), ("swelling of the", "face", "neck"), ("hives on the", "chest", "back"),
    ("a rash on the", "arms", "legs"), ("redness of the", "hands", "feet"), ("itching of the", "scalp", "arms"),
)
INDUCED: tuple[str, ...] = ("-induced", "-associated", "-related", " induced")

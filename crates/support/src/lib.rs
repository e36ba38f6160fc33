//! Customer support for a jewelry brand: what a message asks for, what it
//! names, how the customer feels, whether a person must take it, and the
//! answer the brand's own pages give, with the passages cited.
//!
//! Values in, values out; no IO. The pieces:
//!
//! - [`Intent`]: the fixed list of intents, and [`classify::Classifier`], a
//!   multinomial logistic regression over words, word pairs and character
//!   n-grams (which survive typos), trained from [`training::base`]
//!   (Bitext's retail utterances plus the jewelry examples written for
//!   Loupe, both shipped in `data/`) and any corrections the brand's agents
//!   made.
//! - [`entities`]: order numbers, dates (resolved against the message's
//!   time; a date after "by", "before" or "our anniversary is" is a
//!   deadline), ring sizes in US, UK and EU systems, amounts, products.
//! - [`sentiment`]: a small lexicon of anger, abuse, worry and praise.
//! - [`triage`]: the escalation signals, each with a contribution, and the
//!   priority; [`sla`]: business-hour clocks.
//! - [`kb`]: passages from Markdown, HTML or question/answer CSV, and a
//!   BM25 index over them; [`answer`] drafts a reply only from passages that
//!   cover the question, and says it has none otherwise.

pub mod answer;
pub mod classify;
pub mod entities;
pub mod escalation;
pub mod eval;
pub mod kb;
pub mod sentiment;
pub mod sla;
pub mod text;
pub mod training;
pub mod triage;

use std::fmt;

/// What a message asks for: a fixed list, the same in every brand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intent {
    OrderStatus,
    CancelOrder,
    OrderChange,
    PlaceOrder,
    Shipping,
    AddressChange,
    Returns,
    Refund,
    Payment,
    Invoice,
    Account,
    Complaint,
    Feedback,
    HumanAgent,
    Newsletter,
    Sizing,
    Care,
    Authenticity,
    RepairWarranty,
    Engraving,
    Gift,
    CustomOrder,
    ProductQuestion,
    Other,
}

impl Intent {
    pub const ALL: [Intent; 24] = [
        Intent::OrderStatus,
        Intent::CancelOrder,
        Intent::OrderChange,
        Intent::PlaceOrder,
        Intent::Shipping,
        Intent::AddressChange,
        Intent::Returns,
        Intent::Refund,
        Intent::Payment,
        Intent::Invoice,
        Intent::Account,
        Intent::Complaint,
        Intent::Feedback,
        Intent::HumanAgent,
        Intent::Newsletter,
        Intent::Sizing,
        Intent::Care,
        Intent::Authenticity,
        Intent::RepairWarranty,
        Intent::Engraving,
        Intent::Gift,
        Intent::CustomOrder,
        Intent::ProductQuestion,
        Intent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::OrderStatus => "order_status",
            Intent::CancelOrder => "cancel_order",
            Intent::OrderChange => "order_change",
            Intent::PlaceOrder => "place_order",
            Intent::Shipping => "shipping",
            Intent::AddressChange => "address_change",
            Intent::Returns => "returns",
            Intent::Refund => "refund",
            Intent::Payment => "payment",
            Intent::Invoice => "invoice",
            Intent::Account => "account",
            Intent::Complaint => "complaint",
            Intent::Feedback => "feedback",
            Intent::HumanAgent => "human_agent",
            Intent::Newsletter => "newsletter",
            Intent::Sizing => "sizing",
            Intent::Care => "care",
            Intent::Authenticity => "authenticity",
            Intent::RepairWarranty => "repair_warranty",
            Intent::Engraving => "engraving",
            Intent::Gift => "gift",
            Intent::CustomOrder => "custom_order",
            Intent::ProductQuestion => "product_question",
            Intent::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// A few words for people: the agent queue's column.
    pub fn label(self) -> &'static str {
        match self {
            Intent::OrderStatus => "Where is my order",
            Intent::CancelOrder => "Cancel an order",
            Intent::OrderChange => "Change an order",
            Intent::PlaceOrder => "Place an order",
            Intent::Shipping => "Shipping and delivery",
            Intent::AddressChange => "Change the address",
            Intent::Returns => "Returns",
            Intent::Refund => "Refund",
            Intent::Payment => "Payment",
            Intent::Invoice => "Invoice",
            Intent::Account => "Account",
            Intent::Complaint => "Complaint",
            Intent::Feedback => "Feedback",
            Intent::HumanAgent => "Asks for a person",
            Intent::Newsletter => "Newsletter",
            Intent::Sizing => "Sizing",
            Intent::Care => "Care",
            Intent::Authenticity => "Authenticity and certificates",
            Intent::RepairWarranty => "Repair and warranty",
            Intent::Engraving => "Engraving",
            Intent::Gift => "Gifts",
            Intent::CustomOrder => "Custom order",
            Intent::ProductQuestion => "Product question",
            Intent::Other => "Other",
        }
    }

    /// Bitext's intent names mapped to Loupe's (the table).
    pub fn from_bitext(s: &str) -> Option<Intent> {
        Some(match s {
            "track_order" => Intent::OrderStatus,
            "cancel_order" | "check_cancellation_fee" => Intent::CancelOrder,
            "change_order" => Intent::OrderChange,
            "place_order" => Intent::PlaceOrder,
            "delivery_options" | "delivery_period" => Intent::Shipping,
            "change_shipping_address" | "set_up_shipping_address" => Intent::AddressChange,
            "check_refund_policy" => Intent::Returns,
            "get_refund" | "track_refund" => Intent::Refund,
            "check_payment_methods" | "payment_issue" => Intent::Payment,
            "check_invoice" | "get_invoice" => Intent::Invoice,
            "create_account"
            | "delete_account"
            | "edit_account"
            | "recover_password"
            | "registration_problems"
            | "switch_account" => Intent::Account,
            "complaint" => Intent::Complaint,
            "review" => Intent::Feedback,
            "contact_customer_service" | "contact_human_agent" => Intent::HumanAgent,
            "newsletter_subscription" => Intent::Newsletter,
            _ => return None,
        })
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

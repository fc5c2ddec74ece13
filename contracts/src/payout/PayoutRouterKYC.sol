// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {PayoutRouterBase} from "./PayoutRouterBase.sol";

/// @title PayoutRouterKYC
/// @notice Pays node workers: everything PayoutRouterV0 checks, plus the compliance signer's EIP-712 attestation
/// over (to, kycHash, expiry). An attestation is single-use, bound to this router and chain by the domain, and
/// refused once expired. Optional daily limit per recipient. There is no payout path without an attestation:
/// the single-payout and batch paths of PayoutRouterV0 exist here only as disburseKYC and disburseKYCFromBatch.
contract PayoutRouterKYC is PayoutRouterBase {
    bytes32 public constant KYC_TYPEHASH = keccak256("KycAttestation(address to,bytes32 kycHash,uint256 expiry)");

    address public complianceSigner;
    /// @notice 0 means no per-recipient limit.
    uint256 public recipientDailyLimit;
    mapping(address to => mapping(uint256 day => uint256 amount)) public paidToOnDay;
    mapping(bytes32 digest => bool used) public attestationUsed;

    event ComplianceSignerSet(address indexed signer);
    event RecipientDailyLimitSet(uint256 limit);
    event KycVerified(address indexed to, bytes32 kycHash, uint256 expiry);

    error AttestationExpired(uint256 expiry, uint256 nowTs);
    error AttestationAlreadyUsed(bytes32 digest);
    error WrongComplianceSigner(address recovered);
    error RecipientDailyLimitExceeded(address to, uint256 paidToday, uint256 amount, uint256 limit);

    constructor(
        IERC20 token_,
        address[3] memory signers_,
        address complianceSigner_,
        address governance,
        address pauser,
        uint256 maxPerTx_,
        uint256 dailyCap_,
        uint256 recipientDailyLimit_
    ) PayoutRouterBase("LucidPayoutRouterKYC", token_, signers_, governance, pauser, maxPerTx_, dailyCap_) {
        _setComplianceSigner(complianceSigner_);
        recipientDailyLimit = recipientDailyLimit_;
        emit RecipientDailyLimitSet(recipientDailyLimit_);
    }

    function setComplianceSigner(address signer) external onlyRole(GOVERNANCE_ROLE) {
        _setComplianceSigner(signer);
    }

    function setRecipientDailyLimit(uint256 limit) external onlyRole(GOVERNANCE_ROLE) {
        recipientDailyLimit = limit;
        emit RecipientDailyLimitSet(limit);
    }

    function kycDigest(address to, bytes32 kycHash, uint256 expiry) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(KYC_TYPEHASH, to, kycHash, expiry)));
    }

    /// @notice Pays a KYC'd node worker. The disburser signatures are as for PayoutRouterV0.disburse;
    /// `kycSignature` is the compliance signer's over KycAttestation(to,kycHash,expiry).
    function disburseKYC(
        bytes32 sessionId,
        address to,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes[] calldata signatures,
        bytes32 kycHash,
        uint256 kycExpiry,
        bytes calldata kycSignature
    ) external {
        _consumeAttestation(to, kycHash, kycExpiry, kycSignature);
        _countRecipient(to, amount);
        _disburseSigned(sessionId, to, amount, nonce, deadline, signatures);
    }

    /// @notice Pays one leaf of an approved batch to a KYC'd node worker, with the compliance attestation.
    function disburseKYCFromBatch(
        bytes32 root,
        BatchPayout calldata payout,
        bytes32[] calldata proof,
        bytes32 kycHash,
        uint256 kycExpiry,
        bytes calldata kycSignature
    ) external {
        _consumeAttestation(payout.to, kycHash, kycExpiry, kycSignature);
        _countRecipient(payout.to, payout.amount);
        _disburseBatched(root, payout, proof);
    }

    /// @dev Refuses expired, wrong-signer and already-used attestations, then marks this one used.
    function _consumeAttestation(address to, bytes32 kycHash, uint256 expiry, bytes calldata signature) private {
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > expiry) revert AttestationExpired(expiry, block.timestamp);
        bytes32 digest = kycDigest(to, kycHash, expiry);
        if (attestationUsed[digest]) revert AttestationAlreadyUsed(digest);
        address recovered = ECDSA.recover(digest, signature);
        if (recovered != complianceSigner) revert WrongComplianceSigner(recovered);
        attestationUsed[digest] = true;
        emit KycVerified(to, kycHash, expiry);
    }

    function _countRecipient(address to, uint256 amount) private {
        if (recipientDailyLimit == 0) return;
        uint256 day = today();
        uint256 paid = paidToOnDay[to][day];
        if (paid + amount > recipientDailyLimit) revert RecipientDailyLimitExceeded(to, paid, amount, recipientDailyLimit);
        paidToOnDay[to][day] = paid + amount;
    }

    function _setComplianceSigner(address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        complianceSigner = signer;
        emit ComplianceSignerSet(signer);
    }
}

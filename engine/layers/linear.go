package layers

import (
	"math"

	"gradsign/engine/matmul"
)

// LinearForward is out = inp·wᵀ + bias.
//
//	out [B, O], inp [B, I], w [O, I], bias [O]
func LinearForward[T matmul.Float](out, inp, w, bias []T, B, I, O int) {
	matmul.Gemm(false, true, B, O, I, inp, w, 0, out)
	for b := 0; b < B; b++ {
		for o, v := range bias[:O] {
			out[b*O+o] += v
		}
	}
}

// LinearBackward computes dw = doutᵀ·inp + dwBeta·dw (dwBeta 0: this batch's gradient alone),
// adds the bias gradient to dbias and the input gradient to dinp (any of the three may be nil).
//
//	dinp [B, I], dw [O, I], dbias [O], dout [B, O], inp [B, I], w [O, I]
func LinearBackward[T matmul.Float](dinp, dw, dbias, dout, inp, w []T, B, I, O int, dwBeta T) {
	if dw != nil {
		matmul.Gemm(true, false, O, I, B, dout, inp, dwBeta, dw)
	}
	if dbias != nil {
		for b := 0; b < B; b++ {
			for o := range dbias[:O] {
				dbias[o] += dout[b*O+o]
			}
		}
	}
	if dinp != nil {
		matmul.Gemm(false, false, B, I, O, dout, w, 1, dinp)
	}
}

// SoftmaxCrossEntropy computes each sample's cross-entropy loss of its logits against its
// label, and dlogits = scale·(softmax(logits) - onehot(label)): scale 1 gives every sample the
// gradient of its own loss (GradSign), scale 1/B the gradient of the batch mean (PyTorch's
// default reduction). The softmax is computed in float64 after subtracting the maximum.
//
//	losses [B], dlogits, logits [B, K], labels [B] in 0..K-1
func SoftmaxCrossEntropy[T matmul.Float](losses, dlogits, logits []T, labels []int, B, K int, scale T) {
	for b := 0; b < B; b++ {
		z := logits[b*K : (b+1)*K]
		m := float64(z[0])
		for _, v := range z {
			m = max(m, float64(v))
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		losses[b] = T(lse - float64(z[labels[b]]))
		d := dlogits[b*K : (b+1)*K]
		for k, v := range z {
			p := math.Exp(float64(v) - lse)
			if k == labels[b] {
				p--
			}
			d[k] = scale * T(p)
		}
	}
}

// SoftmaxCrossEntropyTangent is the directional derivative of SoftmaxCrossEntropy's dlogits
// along a logits direction: scale·(p⊙ż - p·(p·ż)), p = softmax(logits).
//
//	dlogitsDot, logits, logitsDot [B, K]
func SoftmaxCrossEntropyTangent[T matmul.Float](dlogitsDot, logits, logitsDot []T, B, K int, scale T) {
	p := make([]float64, K)
	for b := 0; b < B; b++ {
		z, zd := logits[b*K:(b+1)*K], logitsDot[b*K:(b+1)*K]
		m := float64(z[0])
		for _, v := range z {
			m = max(m, float64(v))
		}
		var sum, pz float64
		for k, v := range z {
			p[k] = math.Exp(float64(v) - m)
			sum += p[k]
		}
		for k := range p {
			p[k] /= sum
			pz += p[k] * float64(zd[k])
		}
		for k := range p {
			dlogitsDot[b*K+k] = scale * T(p[k]*(float64(zd[k])-pz))
		}
	}
}
